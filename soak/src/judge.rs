//! The judge: what the desk recorded against what reached the customer side.
//!
//! * every agent answer the desk recorded in a conversation of this run reaches the outbox
//!   exactly once, in the desk's order (lost, duplicated, out of order are counted);
//! * no customer message was created twice at the desk;
//! * nothing is left claimed and uncommitted in the store once the run settled.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::driver::OutboxEntry;

/// The verdict of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verdict {
    /// Conversations of this run the desk has.
    pub conversations: usize,
    /// Agent answers the desk recorded in them.
    pub answers_at_desk: usize,
    /// Answers in the outbox.
    pub answers_delivered: usize,
    /// Recorded at the desk, never in the outbox.
    pub lost: usize,
    /// In the outbox more than once (each extra copy counts).
    pub duplicated: usize,
    /// Conversations whose answers reached the outbox in another order than the desk's.
    pub out_of_order: usize,
    /// Customer messages the desk holds more than once (each extra copy counts).
    pub customer_duplicates: usize,
    /// Store keys still claimed, never committed nor released.
    pub held_claims: usize,
    /// A few examples of what went wrong, for the report.
    pub examples: Vec<String>,
}

impl Verdict {
    /// Whether nothing was lost, duplicated, reordered or left held.
    pub fn passed(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.out_of_order == 0
            && self.customer_duplicates == 0
            && self.held_claims == 0
    }
}

/// The conversation id in a stored reference (`chatlake:301?source=…` → `301`).
pub fn conversation_id(reference: &str) -> String {
    reference
        .parse::<deskwire_core::channel::ConversationRef>()
        .map(|r| r.id().to_owned())
        .unwrap_or_else(|_| reference.to_owned())
}

/// Judges the desk's `conversations` (`GET /_sim/conversations`) against the `outbox`, with
/// `held_claims` read from the store.
pub fn judge(conversations: &[Value], outbox: &[OutboxEntry], held_claims: usize) -> Verdict {
    let mut verdict = Verdict {
        held_claims,
        answers_delivered: outbox.len(),
        ..Verdict::default()
    };
    let mut delivered: HashMap<String, Vec<&str>> = HashMap::new();
    for entry in outbox {
        delivered
            .entry(conversation_id(&entry.conversation))
            .or_default()
            .push(entry.text.as_str());
    }
    for conversation in conversations {
        let messages = conversation["messages"].as_array().cloned().unwrap_or_default();
        let text = |m: &Value| m["text"].as_str().unwrap_or_default().to_owned();
        let from = |m: &Value| m["from"].as_str().unwrap_or_default().to_owned();
        let customer: Vec<String> = messages.iter().filter(|m| from(m) == "customer").map(text).collect();
        // Only this run's conversations (its customers write `c<k>-m<j>`).
        if !customer.iter().any(|t| t.starts_with('c') && t.contains("-m")) {
            continue;
        }
        verdict.conversations += 1;
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for t in &customer {
            *seen.entry(t.as_str()).or_default() += 1;
        }
        verdict.customer_duplicates += seen.values().map(|n| n - 1).sum::<usize>();
        let at_desk: Vec<String> = messages
            .iter()
            .filter(|m| matches!(from(m).as_str(), "agent" | "expert"))
            .filter(|m| !m["private"].as_bool().unwrap_or(false))
            .map(text)
            .collect();
        verdict.answers_at_desk += at_desk.len();
        let id = conversation["id"].as_str().unwrap_or_default().to_owned();
        let got = delivered.remove(&id).unwrap_or_default();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for t in &got {
            *counts.entry(t).or_default() += 1;
        }
        for answer in &at_desk {
            if !counts.contains_key(answer.as_str()) {
                verdict.lost += 1;
                if verdict.examples.len() < 10 {
                    verdict.examples.push(format!("lost in {id}: {answer}"));
                }
            }
        }
        let extra: usize = counts.values().map(|n| n - 1).sum();
        if extra > 0 && verdict.examples.len() < 10 {
            verdict.examples.push(format!("duplicated in {id}: {got:?}"));
        }
        verdict.duplicated += extra;
        // Order: the first copy of each answer, against the desk's order.
        let mut firsts: Vec<&str> = Vec::new();
        for t in &got {
            if !firsts.contains(t) {
                firsts.push(t);
            }
        }
        let desk_order: Vec<&str> = at_desk
            .iter()
            .map(String::as_str)
            .filter(|a| firsts.contains(a))
            .collect();
        let firsts: Vec<&str> = firsts.into_iter().filter(|t| at_desk.iter().any(|a| a == t)).collect();
        if firsts != desk_order {
            verdict.out_of_order += 1;
            if verdict.examples.len() < 10 {
                verdict
                    .examples
                    .push(format!("out of order in {id}: {firsts:?} vs desk {desk_order:?}"));
            }
        }
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(conversation: &str, text: &str) -> OutboxEntry {
        OutboxEntry {
            conversation: conversation.into(),
            text: text.into(),
            replica: "r0".into(),
            at: 0.0,
        }
    }

    #[test]
    fn lost_duplicated_reordered_and_customer_duplicates_are_each_counted() {
        let desk = [
            json!({"id": "1", "messages": [
                {"from": "customer", "text": "c1-m0"}, {"from": "agent", "text": "a"},
                {"from": "customer", "text": "c1-m1"}, {"from": "agent", "text": "b"},
                {"from": "agent", "text": "note", "private": true}]}),
            json!({"id": "2", "messages": [
                {"from": "customer", "text": "c2-m0"}, {"from": "customer", "text": "c2-m0"},
                {"from": "agent", "text": "x"}, {"from": "agent", "text": "y"}]}),
            json!({"id": "9", "messages": [{"from": "customer", "text": "someone else"}, {"from": "agent", "text": "z"}]}),
        ];
        let outbox = [
            entry("chatlake:1?source=s", "a"),
            entry("chatlake:1", "b"),
            entry("chatlake:1", "b"),
            entry("chatlake:2", "y"),
            entry("chatlake:2", "x"),
        ];
        let v = judge(&desk, &outbox, 1);
        assert_eq!(v.conversations, 2, "conversation 9 is not this run's");
        assert_eq!(v.answers_at_desk, 4, "the private note is not an answer");
        assert_eq!(
            (v.lost, v.duplicated, v.out_of_order, v.customer_duplicates),
            (0, 1, 1, 1)
        );
        assert!(!v.passed());
        let clean = judge(&desk[..1], &outbox[..2], 0);
        assert!(clean.passed(), "{clean:?}");
        let lossy = judge(&desk[..1], &outbox[..1], 0);
        assert_eq!(lossy.lost, 1);
    }
}
