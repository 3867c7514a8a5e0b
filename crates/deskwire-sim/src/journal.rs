//! The journal: every exchange with the desk, in order, for assertions and for the binary's
//! output lines.
//!
//! An [`Exchange`] records a method, a path, a status and a neutral summary (`message: Hi`,
//! `typing: on`, `read: 42`, `close`), never a header or a body: the requests carry tokens and
//! secrets, and the journal is printed.

use std::sync::Mutex;

use serde::Serialize;
use tokio::sync::broadcast;

/// Which way an exchange went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// A request the desk received (from a client).
    In,
    /// A request the desk made (a webhook, a call to the user's endpoint).
    Out,
}

/// One exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// Its place in the journal, from 1.
    pub seq: u64,
    /// Which way it went.
    pub direction: Direction,
    /// The HTTP method.
    pub method: String,
    /// The path (for `Out`, the target URL's path).
    pub path: String,
    /// The status answered; `None` when there was no answer (a dropped webhook, a closed
    /// connection, a transport error).
    pub status: Option<u16>,
    /// What it meant, in the neutral words the contract suite compares (`message: Hi`); `None`
    /// for set-up calls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The fault applied to it, if any (`429`, `dup`, `close`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// A fresh exchange, before the journal numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which way it went.
    pub direction: Direction,
    /// The HTTP method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The status answered.
    pub status: Option<u16>,
    /// The neutral summary.
    pub summary: Option<String>,
    /// The fault applied.
    pub fault: Option<String>,
}

/// The journal.
#[derive(Debug)]
pub struct Journal {
    entries: Mutex<Vec<Exchange>>,
    live: broadcast::Sender<Exchange>,
}

impl Default for Journal {
    fn default() -> Self {
        Self::new()
    }
}

impl Journal {
    /// An empty journal.
    pub fn new() -> Self {
        Self {
            entries: Mutex::new(Vec::new()),
            live: broadcast::channel(1024).0,
        }
    }

    /// Records `entry` and tells the subscribers.
    pub fn record(&self, entry: Entry) -> Exchange {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let exchange = Exchange {
            seq: entries.len() as u64 + 1,
            direction: entry.direction,
            method: entry.method,
            path: entry.path,
            status: entry.status,
            summary: entry.summary,
            fault: entry.fault,
        };
        entries.push(exchange.clone());
        // Sent under the lock so subscribers see the journal's order; nobody listening is fine.
        let _ = self.live.send(exchange.clone());
        exchange
    }

    /// Every exchange so far.
    pub fn all(&self) -> Vec<Exchange> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The exchanges from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Exchange> {
        self.live.subscribe()
    }
}
