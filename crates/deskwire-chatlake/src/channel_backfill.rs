//! Gap backfill and order for [`ChatlakeChannel`]: see [`ChatlakeChannel::backfill`].

use std::sync::Arc;

use deskwire_core::channel::{ChannelError, ConversationRef, Cursor, DeskEvent, Polled};
use deskwire_core::store::Store;

use super::{ChatlakeChannel, PROVIDER};
use crate::inbound::{MessageEvent, WebhookEvent};
use crate::wire::{ConversationQuery, ConversationStatus, MessageQuery, StatusFilter};

/// The store and the lock of backfill.
#[derive(Debug, Clone)]
pub(super) struct Backfill {
    pub(super) store: Arc<dyn Store>,
    pub(super) lock: Arc<tokio::sync::Mutex<()>>,
}

/// Conversation pages one poll reads at most (25 conversations each).
const MAX_PAGES: u32 = 40;

impl ChatlakeChannel {
    fn last_key(&self, conversation: u64) -> String {
        format!("{PROVIDER}:inbox:{}:last:{conversation}", self.inbox_id)
    }

    async fn last(&self, backfill: &Backfill, conversation: u64) -> u64 {
        match backfill.store.cursor(&self.last_key(conversation)).await {
            Ok(saved) => saved.and_then(|s| s.parse().ok()).unwrap_or(0),
            Err(error) => {
                tracing::warn!(%error, "the backfill store failed; reading the conversation from its start");
                0
            }
        }
    }

    async fn advance(&self, backfill: &Backfill, conversation: u64, to: u64) {
        if let Err(error) = backfill
            .store
            .set_cursor(&self.last_key(conversation), &to.to_string())
            .await
        {
            tracing::warn!(%error, "the backfill store failed; the position was not saved");
        }
    }

    /// The desk messages of `conversation` after `after` and below `below` (all when `None`),
    /// in id order, each as the webhook would have brought it; and the highest id listed.
    async fn missed(
        &self,
        conversation: u64,
        reference: &ConversationRef,
        after: u64,
        below: Option<u64>,
    ) -> Result<(Vec<DeskEvent>, u64), ChannelError> {
        let page = self
            .api
            .list_messages(
                conversation,
                MessageQuery {
                    before: None,
                    after: Some(after),
                },
            )
            .await
            .map_err(ChannelError::from)?;
        let mut messages: Vec<_> = page
            .payload
            .into_iter()
            .filter(|m| m.id > after && below.is_none_or(|b| m.id < b))
            .collect();
        messages.sort_by_key(|m| m.id);
        let highest = messages.last().map_or(after, |m| m.id);
        let mut events = Vec::new();
        for message in messages {
            // Listed messages read like webhook ones: the same filter, the same mapping.
            let event = MessageEvent {
                message,
                account: None,
                inbox: None,
                conversation: None,
            };
            let Some(DeskEvent::Message(mut desk)) = self.event(&WebhookEvent::MessageCreated(Box::new(event)), b"")
            else {
                continue;
            };
            desk.id.conversation = reference.clone();
            events.push(DeskEvent::Message(desk));
        }
        Ok((events, highest))
    }

    /// The webhook's events, with the messages missed before each, and without the ones
    /// already passed.
    pub(super) async fn in_order(&self, backfill: &Backfill, events: Vec<DeskEvent>) -> Vec<DeskEvent> {
        let mut out = Vec::with_capacity(events.len());
        for event in events {
            let DeskEvent::Message(message) = &event else {
                out.push(event);
                continue;
            };
            let (Ok(conversation), Ok(id)) = (
                message.id.conversation.id().parse::<u64>(),
                message.id.id.parse::<u64>(),
            ) else {
                out.push(event);
                continue;
            };
            let _serial = backfill.lock.lock().await;
            let last = self.last(backfill, conversation).await;
            if id <= last {
                continue;
            }
            match self
                .missed(conversation, &message.id.conversation, last, Some(id))
                .await
            {
                Ok((missed, _)) => {
                    out.extend(missed);
                    out.push(event);
                    self.advance(backfill, conversation, id).await;
                }
                Err(error) => {
                    // Pass what came; the position stays, so the next poll lists the gap.
                    tracing::warn!(%error, "backfill before a webhook message failed");
                    out.push(event);
                }
            }
        }
        out
    }

    /// One reconcile round over the inbox's open conversations.
    pub(super) async fn reconcile(&self, backfill: &Backfill) -> Result<Polled, ChannelError> {
        let mut events = Vec::new();
        let mut failures = Vec::new();
        for page in 1..=MAX_PAGES {
            let query = ConversationQuery {
                status: Some(StatusFilter::Only(ConversationStatus::Open)),
                inbox_id: Some(self.inbox_id),
                page: Some(page),
                ..ConversationQuery::default()
            };
            let conversations = self
                .api
                .list_conversations(&query)
                .await
                .map_err(ChannelError::from)?
                .payload;
            if conversations.is_empty() {
                break;
            }
            for conversation in conversations {
                let mut reference = ConversationRef::new(PROVIDER, conversation.id.to_string());
                if let Some(source) = conversation
                    .contact_inbox
                    .as_ref()
                    .and_then(|ci| ci.source_id.as_deref())
                {
                    reference = reference.with("source", source);
                }
                let _serial = backfill.lock.lock().await;
                let last = self.last(backfill, conversation.id).await;
                match self.missed(conversation.id, &reference, last, None).await {
                    Ok((missed, highest)) => {
                        events.extend(missed);
                        if highest > last {
                            self.advance(backfill, conversation.id, highest).await;
                        }
                    }
                    Err(error) => failures.push((reference, error)),
                }
            }
        }
        Ok(Polled::new(events, failures, Cursor::new(String::new())))
    }
}
