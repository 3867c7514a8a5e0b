//! [`QuestionWatcher`]: polls questions with `lastChecked`, turns each changed snapshot into
//! [`QuestionEvent`]s and keeps a [`WatchCursor`] to resume from.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::cursor::QuestionCursor;
use super::events::QuestionEvent;
use crate::api::questions::Polled;
use crate::wire::{Question, Uuid};
use crate::{DirectlyClient, Error};

/// Everything a watcher needs to resume: one cursor per question. Serialize it (serde) after
/// handling a batch of events; a watcher resumed from it reports nothing handled twice.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WatchCursor {
    /// The questions, in the order they were added.
    pub questions: Vec<QuestionCursor>,
}

/// What one round of polls brought.
#[derive(Debug, Default)]
pub struct WatchReport {
    /// The changes, question by question in watch order, each in its order.
    pub events: Vec<QuestionEvent>,
    /// Questions that could not be polled this round; their cursors did not move, so nothing is
    /// lost — the next round asks again.
    pub errors: Vec<(Uuid, Error)>,
    /// How many questions answered 304.
    pub not_modified: usize,
}

/// Polls questions for changes.
///
/// * `lastChecked` comes from the server: the largest `lastUpdated` seen in the question, else
///   the answer's `Date` header — never the local clock, so clock skew cannot hide an update.
/// * Whether Directly compares `lastChecked` strictly is not documented; a repeated snapshot
///   reports nothing again, because messages are de-duplicated by `uuid` (else `id`).
/// * A 304 has no body and changes nothing.
/// * Events come once, in order. For at-least-once handling across restarts, save
///   [`QuestionWatcher::cursor`] after handling each report and [`QuestionWatcher::resume`] from it.
///
/// ```no_run
/// # async fn run(client: deskwire_directly::DirectlyClient, question: deskwire_directly::wire::Question) {
/// use std::time::Duration;
/// use deskwire_directly::inbound::{QuestionEvent, QuestionWatcher};
///
/// let mut watcher = QuestionWatcher::new(client, Duration::from_secs(10));
/// watcher.watch_from(&question); // just created: report only what happens next
/// loop {
///     let report = watcher.next().await;
///     for event in report.events {
///         if let QuestionEvent::MessageAdded { message, author, .. } = event {
///             println!("{author:?}: {}", message.body.unwrap_or_default());
///         }
///     }
///     let saved = serde_json::to_string(&watcher.cursor()).unwrap();
///     # let _ = saved;
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct QuestionWatcher {
    client: DirectlyClient,
    interval: Duration,
    cursors: Vec<QuestionCursor>,
    last_round: Option<Instant>,
}

impl QuestionWatcher {
    /// A watcher polling every `interval`, watching nothing yet.
    pub fn new(client: DirectlyClient, interval: Duration) -> Self {
        Self {
            client,
            interval,
            cursors: Vec::new(),
            last_round: None,
        }
    }

    /// A watcher continuing from a saved cursor.
    pub fn resume(client: DirectlyClient, interval: Duration, cursor: WatchCursor) -> Self {
        Self {
            cursors: cursor.questions,
            ..Self::new(client, interval)
        }
    }

    /// Watches a question; the first poll reports everything it holds.
    pub fn watch(&mut self, question: Uuid) {
        if !self.is_watching(&question) {
            self.cursors.push(QuestionCursor::new(question));
        }
    }

    /// Watches a question from a snapshot you already have: only later changes are reported.
    pub fn watch_from(&mut self, snapshot: &Question) {
        self.unwatch(&snapshot.uuid);
        self.cursors.push(QuestionCursor::baseline(snapshot));
    }

    /// Watches a question from a saved cursor: added when it is not watched, kept whichever of
    /// the two has seen the later server time when it is (a replica's older save never moves a
    /// question back).
    pub fn merge(&mut self, saved: QuestionCursor) {
        match self.cursors.iter_mut().find(|c| c.question() == saved.question()) {
            None => self.cursors.push(saved),
            Some(current) => {
                let later = match (saved.last_checked(), current.last_checked()) {
                    (Some(s), Some(c)) => s.cmp_time(c).is_gt(),
                    (Some(_), None) => true,
                    _ => false,
                };
                if later {
                    *current = saved;
                }
            }
        }
    }

    /// Stops watching a question.
    pub fn unwatch(&mut self, question: &Uuid) {
        self.cursors.retain(|c| c.question() != question);
    }

    /// Whether the question is watched.
    pub fn is_watching(&self, question: &Uuid) -> bool {
        self.cursors.iter().any(|c| c.question() == question)
    }

    /// The state to save.
    pub fn cursor(&self) -> WatchCursor {
        WatchCursor {
            questions: self.cursors.clone(),
        }
    }

    /// Waits until `interval` has passed since the previous round (not at all the first time),
    /// then polls every question once.
    pub async fn next(&mut self) -> WatchReport {
        if let Some(last) = self.last_round {
            tokio::time::sleep_until(last + self.interval).await;
        }
        self.poll_once().await
    }

    /// Polls every watched question once, now.
    pub async fn poll_once(&mut self) -> WatchReport {
        self.last_round = Some(Instant::now());
        let mut report = WatchReport::default();
        for cursor in &mut self.cursors {
            let question = cursor.question().clone();
            match self.client.poll_question(&question, cursor.last_checked()).await {
                Ok(poll) => match poll.polled {
                    Polled::NotModified => report.not_modified += 1,
                    Polled::Changed(snapshot) => {
                        if snapshot.uuid != question {
                            tracing::warn!(asked = %question, got = %snapshot.uuid, "directly: a poll answered another question; ignored");
                            continue;
                        }
                        report
                            .events
                            .extend(cursor.observe(&snapshot, poll.server_time.as_ref()));
                    }
                },
                Err(error) => report.errors.push((question, error)),
            }
        }
        report
    }
}
