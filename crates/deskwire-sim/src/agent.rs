//! The scripted agent (or expert): answers every customer message after a delay, types before
//! answering where the desk reports typing, and resolves the conversation on a keyword, so a
//! whole handoff runs unattended.

use std::sync::Weak;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::desk::Desk;

/// What the agent does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentScript {
    delay: Duration,
    typing: bool,
    resolve_on: Vec<String>,
    name: String,
}

impl Default for AgentScript {
    fn default() -> Self {
        Self::replying_after(Duration::from_millis(1000))
    }
}

impl AgentScript {
    /// An agent named "Bob" who answers each customer message `delay` after it arrived, types
    /// for the second half of that delay, and resolves the conversation instead of answering a
    /// message containing "bye" or "resolve" (any case).
    pub fn replying_after(delay: Duration) -> Self {
        Self {
            delay,
            typing: true,
            resolve_on: vec!["bye".into(), "resolve".into()],
            name: "Bob".into(),
        }
    }

    /// Whether the agent types before answering (default yes).
    pub fn typing(mut self, typing: bool) -> Self {
        self.typing = typing;
        self
    }

    /// The words that make the agent resolve the conversation instead of answering.
    pub fn resolve_on(mut self, words: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.resolve_on = words.into_iter().map(Into::into).collect();
        self
    }

    /// The agent's answer to `text`.
    pub fn answer(&self, text: &str) -> String {
        format!("{} here. You wrote: {text}", self.name)
    }

    /// Whether `text` ends the conversation.
    pub fn resolves(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        self.resolve_on.iter().any(|w| text.contains(&w.to_lowercase()))
    }
}

/// A customer message the agent reacts to.
#[derive(Debug, Clone)]
pub(crate) struct Cue {
    pub(crate) conversation: String,
    pub(crate) text: String,
}

/// Runs `script` for every cue, each in a task of its own, until the desk is gone.
pub(crate) fn start(script: AgentScript, desk: Weak<dyn Desk>) -> mpsc::UnboundedSender<Cue> {
    let (tx, mut cues) = mpsc::unbounded_channel::<Cue>();
    tokio::spawn(async move {
        while let Some(cue) = cues.recv().await {
            let script = script.clone();
            let desk = desk.clone();
            tokio::spawn(async move {
                let half = script.delay / 2;
                tokio::time::sleep(half).await;
                if script.typing {
                    let Some(d) = desk.upgrade() else { return };
                    let _ = d.agent_typing(&cue.conversation).await;
                }
                tokio::time::sleep(script.delay - half).await;
                let Some(d) = desk.upgrade() else { return };
                let _ = if script.resolves(&cue.text) {
                    d.resolve(&cue.conversation).await.map(|_| ())
                } else {
                    d.agent_message(&cue.conversation, &script.answer(&cue.text)).await
                };
            });
        }
    });
    tx
}
