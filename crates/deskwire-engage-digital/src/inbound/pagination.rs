//! `list` pagination as the docs require: the **oldest** contents after `since_id`, returned
//! **newest first**.
//!
//! Engage Digital does not assume ids increase; it takes the next `since_id` from the order of
//! your answer. So the helper works on your contents in creation order rather than comparing
//! ids.

/// Picks the page to answer `<object>.list` with.
///
/// `oldest_first` holds your contents in creation order. The page is the `limit` contents that
/// follow the one whose id is `since_id` (or the oldest ones when `since_id` is `None`), in
/// descending order. A `limit` of 0 is read as 1, since an empty page would stop the import
/// for good.
///
/// When `since_id` is not among the contents (it was deleted, say) the page starts again from
/// the oldest content: Engage Digital de-duplicates by id, so nothing is lost and nothing is
/// imported twice.
///
/// ```
/// use deskwire_engage_digital::inbound::list_page;
///
/// let ids = ["a", "b", "c", "d", "e"]; // oldest first
/// assert_eq!(list_page(&ids, None, 2, |id| id), [&"b", &"a"]);
/// assert_eq!(list_page(&ids, Some("b"), 2, |id| id), [&"d", &"c"]);
/// assert_eq!(list_page(&ids, Some("e"), 2, |id| id), Vec::<&&str>::new());
/// ```
pub fn list_page<'a, T, F>(oldest_first: &'a [T], since_id: Option<&str>, limit: usize, id_of: F) -> Vec<&'a T>
where
    F: Fn(&T) -> &str,
{
    let start = since_id
        .and_then(|since| oldest_first.iter().position(|item| id_of(item) == since))
        .map_or(0, |i| i + 1);
    let mut page: Vec<&T> = oldest_first[start..].iter().take(limit.max(1)).collect();
    page.reverse();
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unknown_since_id_starts_again_from_the_oldest() {
        let ids = ["x", "y"];
        assert_eq!(list_page(&ids, Some("gone"), 5, |id| id), [&"y", &"x"]);
    }

    #[test]
    fn zero_limit_still_makes_progress() {
        let ids = ["x", "y"];
        assert_eq!(list_page(&ids, None, 0, |id| id), [&"x"]);
    }

    proptest! {
        /// Following `since_id` from page to page (the newest item of each page, as Engage
        /// Digital does) visits every content exactly once, in order.
        #[test]
        fn paging_visits_everything_once(n in 0usize..40, limit in 1usize..7) {
            let ids: Vec<String> = (0..n).map(|i| format!("id-{}", (i * 7919) % 1000)).collect();
            let mut unique = ids.clone();
            unique.sort();
            unique.dedup();
            prop_assume!(unique.len() == ids.len());
            let mut seen = Vec::new();
            let mut since: Option<String> = None;
            loop {
                let page = list_page(&ids, since.as_deref(), limit, |s| s.as_str());
                prop_assert!(page.len() <= limit);
                if page.is_empty() {
                    break;
                }
                // Descending: reversed creation order.
                let mut ascending: Vec<&String> = page.clone();
                ascending.reverse();
                seen.extend(ascending.iter().map(|s| (*s).clone()));
                since = Some(page[0].clone());
            }
            prop_assert_eq!(seen, ids);
        }
    }
}
