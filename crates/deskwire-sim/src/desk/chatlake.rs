//! The Chatlake desk: Chatwoot's Application API (`/api/v1/accounts/{account}/…`, token in
//! `api_access_token`) and Client API (`/public/api/v1/inboxes/{identifier}/…`) for one account
//! with one API inbox (more through `POST inboxes`), and signed webhooks to the inbox's
//! `webhook_url`.
//!
//! Shapes follow Chatwoot's controllers and jbuilder views (chatwoot/chatwoot, tag v4.13.0:
//! `app/controllers/api/v1/accounts/*`, `app/controllers/public/api/v1/inboxes/*`,
//! `app/views/api/v1/**/*.json.jbuilder`, `app/models/message.rb#webhook_data`,
//! `config/initializers/rack_attack.rb`) as deskwire-chatlake's docs cite them:
//!
//! * the token is read from `api_access_token` or `api-access-token`; a wrong one is 401
//!   `{"error": "Invalid Access Token"}`, none at all Devise's 401 `{"errors": ["You need to
//!   sign in or sign up before continuing."]}`; an unknown record 404
//!   `{"error": "Resource could not be found"}`; a record that fails its validations 422
//!   `{"message", "attributes"}` (`render_record_invalid`: a contact's email, identifier and
//!   phone number unique per account, the email and E.164 shapes);
//! * answers are written as the jbuilder views write them (`_message`, `_contact`,
//!   `_conversation`, `_inbox_slim`, the raw `Inbox` record of `contacts/create`), and
//!   `cargo xtask conform`'s `sim` stage compares them with the upstream fixtures;
//! * a throttled request is rack-attack's 429 `Retry later` (text/plain), with or without
//!   `Retry-After` (the two 429 faults);
//! * with identity validation on (credential `hmac_mandatory=true`), or whenever an
//!   `identifier_hash` is sent, the Client API's contact create/show/update compare it with the
//!   HMAC-SHA256 of `identifier` keyed with the inbox's `hmac_token` and answer a bare 500 when
//!   it differs (`contacts_controller.rb#process_hmac`);
//! * message content over 150,000 characters is 422; so is a conversation's 201st message
//!   within a minute, whoever writes it (`Message#prevent_message_flooding`: `{"message": "Too
//!   many messages", "attributes": ["base"]}`; credential `conversation_message_per_minute_limit`
//!   is Chatwoot's env var of that name);
//! * webhooks: `message_created` (incoming and outgoing, private notes too; never activity),
//!   `message_updated` (a message whose `message_created` failed: marked `failed` with the
//!   error), `conversation_created`, `conversation_status_changed` + `conversation_updated` on
//!   every status change (a customer writing into a resolved conversation reopens it, events
//!   first), `conversation_updated` when the waiting clock or the first reply changes,
//!   `conversation_typing_on` / `_off` (the scripted agent stops typing after it sends, an
//!   invented step), conversations as `EventDataPresenter#webhook_data` (the raw
//!   `ContactInbox`, `meta` with every key), webhook
//!   `created_at` in ISO 8601; each signed as Chatwoot 4.13 signs
//!   them (`X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`,
//!   `X-Chatwoot-Timestamp`, a fresh `X-Chatwoot-Delivery` uuid) with the inbox's webhook
//!   secret, sent once with a 5 s timeout and never retried (`WebhookJob`, `Webhooks::Trigger`).
//!
//! Credentials: `api_access_token`, `account_id`, `inbox_id`, `inbox_identifier`,
//! `webhook_secret`, `hmac_token` (and `hmac_mandatory` when given).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Map, Value};

use super::{hex, json as answer, json_summarized, token, Desk, Settings, Shared};
use crate::faults::Fault;
use crate::SimError;

/// Chatwoot's message content limit, in characters.
const CONTENT_LIMIT: usize = 150_000;
/// Contacts per page of `GET contacts` (Chatwoot's `RESULTS_PER_PAGE`).
const PER_PAGE: usize = 15;

#[derive(Debug, Clone)]
struct Inbox {
    id: u64,
    name: String,
    identifier: String,
    webhook_url: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Contact {
    id: u64,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    identifier: Option<String>,
    custom_attributes: Map<String, Value>,
    /// (inbox id, source id)
    sessions: Vec<(u64, String)>,
    created_at: u64,
    /// The contact's last message (`Contact#last_activity_at`, nil for a new contact).
    last_activity_at: Option<u64>,
}

impl Contact {
    /// Applies the fields an update names (`name`, `email`, `phone_number`, `identifier`).
    fn update_from(&mut self, body: &Value) {
        for (key, field) in [
            ("name", &mut self.name),
            ("email", &mut self.email),
            ("phone_number", &mut self.phone),
            ("identifier", &mut self.identifier),
        ] {
            if let Some(v) = text_of(body, key) {
                *field = Some(v);
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Message {
    id: u64,
    content: String,
    /// 0 incoming, 1 outgoing, 2 activity.
    message_type: u8,
    private: bool,
    created_at: u64,
    source_id: Option<String>,
    attachments: Vec<Value>,
    sender: Value,
    /// `failed` once its webhook could not be delivered, with the error
    /// (`content_attributes.external_error`).
    external_error: Option<String>,
    /// Deleted (soft: `content_attributes.deleted`).
    deleted: bool,
    /// The client's `echo_id`, echoed in the create answer.
    echo_id: Option<String>,
}

#[derive(Debug, Clone)]
struct Conversation {
    id: u64,
    inbox_id: u64,
    contact_id: u64,
    source_id: String,
    status: String,
    messages: Vec<Message>,
    contact_last_seen_at: Option<u64>,
    created_at: u64,
    /// Moves with every message and status change (`updated_within` reads it).
    updated_at: u64,
    /// The order of last activity (seconds tie within a test): lists sort by it.
    activity: u64,
    /// Since when the contact waits for a human answer (0: not waiting).
    waiting_since: u64,
    /// The first human answer (0: none yet).
    first_reply_created_at: u64,
    /// `low`, `medium`, `high`, `urgent`, or none.
    priority: Option<String>,
    labels: Vec<String>,
    custom_attributes: Value,
    /// The assigned agent (the token's owner is the desk's only agent, id 1).
    assignee: Option<u64>,
    /// `Conversation#uuid`.
    uuid: String,
}

#[derive(Debug, Default)]
struct State_ {
    inboxes: Vec<Inbox>,
    contacts: Vec<Contact>,
    conversations: BTreeMap<u64, Conversation>,
    next_message: u64,
    /// Counts activity, for `last_activity_at_desc` within one second.
    activity: u64,
}

/// The desk.
#[derive(Debug)]
pub(crate) struct ChatlakeDesk {
    shared: Arc<Shared>,
    base_url: String,
    token: Secret,
    account: u64,
    webhook_secret: Secret,
    /// Keyed with the inbox webhook's secret.
    signer: HmacSha256,
    hmac_token: Secret,
    hmac_mandatory: bool,
    /// Messages one conversation takes in a minute (`Limits.conversation_message_per_minute_limit`,
    /// env `CONVERSATION_MESSAGE_PER_MINUTE_LIMIT`, 200 by default; credential
    /// `conversation_message_per_minute_limit`).
    message_limit: u64,
    state: Mutex<State_>,
    /// The desk itself, for the tasks that watch a delivery's fate.
    me: OnceLock<Weak<ChatlakeDesk>>,
}

/// The desk's one agent (the token's owner) as `_agent.json.jbuilder` writes an agent.
fn agent_json(account: u64) -> Value {
    json!({"id": 1, "account_id": account, "availability_status": "online", "auto_offline": true,
           "confirmed": true, "email": "bob@deskwire-sim.test", "provider": "email", "available_name": "Bob",
           "name": "Bob", "role": "administrator", "thumbnail": "", "custom_role_id": null})
}

/// A contact as `Contact#push_event_data` writes it (konversio-org/konversio 88ffa329,
/// `app/models/contact.rb` L150-163).
fn contact_push(c: &Contact) -> Value {
    json!({"additional_attributes": {}, "custom_attributes": c.custom_attributes, "email": c.email,
           "id": c.id, "identifier": c.identifier, "name": c.name, "phone_number": c.phone,
           "thumbnail": "", "blocked": false, "type": "contact"})
}

/// A session's `pubsub_token` (`ContactInbox#pubsub_token`: a random token, per session; here
/// derived from the source id so it is stable).
fn pubsub_token(source: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    source.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The agent as a message's sender: `User#push_event_data` (konversio-org/konversio 88ffa329,
/// `app/models/user.rb`), as the message create fixture shows it.
fn agent_sender() -> Value {
    json!({"id": 1, "name": "Bob", "available_name": "Bob", "avatar_url": "", "type": "user",
           "availability_status": "online", "thumbnail": ""})
}

/// A failed validation as `RequestExceptionHandler#render_record_invalid` answers it
/// (konversio-org/konversio 88ffa329, `app/controllers/concerns/request_exception_handler.rb`):
/// the full messages joined, and the attributes.
fn record_invalid(errors: &[(&str, String)]) -> Response {
    let message: Vec<&str> = errors.iter().map(|(_, m)| m.as_str()).collect();
    let mut attributes: Vec<&str> = Vec::new();
    for (attribute, _) in errors {
        if !attributes.contains(attribute) {
            attributes.push(attribute);
        }
    }
    // Rails writes `message` first; serde_json's map would sort the keys.
    let body = format!(
        r#"{{"message":{},"attributes":{}}}"#,
        json!(message.join(", ")),
        json!(attributes)
    );
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        [(http::header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Unix seconds as Rails writes a time in JSON: ISO 8601, UTC, milliseconds.
fn iso(seconds: u64) -> String {
    super::rfc3339_millis(i128::from(seconds) * 1000)
}

/// A message's `content_attributes`: `external_error` once its delivery failed.
fn content_attributes(m: &Message) -> Value {
    if m.deleted {
        return json!({ "deleted": true });
    }
    match &m.external_error {
        Some(error) => json!({ "external_error": error }),
        None => json!({}),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn not_found() -> Response {
    answer(StatusCode::NOT_FOUND, &json!({"error": "Resource could not be found"}))
}

fn unprocessable(message: &str) -> Response {
    answer(StatusCode::UNPROCESSABLE_ENTITY, &json!({"message": message}))
}

fn text_of(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn id_of(body: &Value, key: &str) -> Option<u64> {
    match body.get(key)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

impl ChatlakeDesk {
    pub(crate) fn new(settings: &Settings, shared: Arc<Shared>) -> Result<Self, SimError> {
        let account = settings.number("account_id", 1)?;
        let inbox_id = settings.number("inbox_id", 1)?;
        let webhook_secret = Secret::new(settings.credential("webhook_secret", |r| token(r, 24)));
        if webhook_secret.is_empty() {
            return Err(SimError::BadCredential {
                key: "webhook_secret".into(),
                reason: "not empty".into(),
            });
        }
        let signer = HmacSha256::new(&webhook_secret);
        let hmac_mandatory = match settings.overrides.get("hmac_mandatory").map(String::as_str) {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(SimError::BadCredential {
                    key: "hmac_mandatory".into(),
                    reason: "true or false".into(),
                })
            }
        };
        let inbox = Inbox {
            id: inbox_id,
            name: "deskwire-sim API inbox".into(),
            identifier: settings.credential("inbox_identifier", |r| token(r, 24)),
            // The first inbox sends to the simulator's webhook URL, which `Sim::set_webhook_url` moves.
            webhook_url: None,
        };
        Ok(Self {
            shared,
            base_url: settings.base_url.clone(),
            token: Secret::new(settings.credential("api_access_token", |r| token(r, 24))),
            account,
            webhook_secret,
            signer,
            hmac_token: Secret::new(settings.credential("hmac_token", |r| hex(r, 32))),
            hmac_mandatory,
            message_limit: settings.number("conversation_message_per_minute_limit", 200)?,
            state: Mutex::new(State_ {
                inboxes: vec![inbox],
                next_message: 1,
                ..State_::default()
            }),
            me: OnceLock::new(),
        })
    }

    fn state(&self) -> MutexGuard<'_, State_> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        // Rails reads the header under either spelling (`api_access_token`, `api-access-token`).
        headers
            .get("api_access_token")
            .or_else(|| headers.get("api-access-token"))
            .is_some_and(|v| self.token.matches(v.as_bytes()))
    }

    // ---- JSON views --------------------------------------------------------------------

    fn inbox_json(&self, inbox: &Inbox) -> Value {
        json!({"id": inbox.id, "name": inbox.name, "channel_type": "Channel::Api", "inbox_identifier": inbox.identifier,
               "webhook_url": inbox.webhook_url, "hmac_token": self.hmac_token.expose(), "hmac_mandatory": self.hmac_mandatory,
               "account_id": self.account})
    }

    /// An inbox as `_inbox_slim.json.jbuilder` writes it (a contact's `contact_inboxes`).
    fn inbox_slim(inbox: &Inbox) -> Value {
        json!({"id": inbox.id, "avatar_url": "", "channel_id": inbox.id, "name": inbox.name,
               "channel_type": "Channel::Api", "provider": null})
    }

    /// The `Inbox` record itself, every column, as `contacts/create.json.jbuilder` writes
    /// `payload.contact_inbox.inbox` (`json.inbox @contact_inbox&.inbox`: the record's JSON).
    fn inbox_record(&self, inbox: &Inbox) -> Value {
        let at = iso(now());
        json!({"id": inbox.id, "channel_id": inbox.id, "account_id": self.account, "name": inbox.name,
               "created_at": at, "updated_at": at, "channel_type": "Channel::Api",
               "enable_auto_assignment": true, "greeting_enabled": false, "greeting_message": null,
               "email_address": null, "working_hours_enabled": false, "out_of_office_message": null,
               "timezone": "UTC", "enable_email_collect": true, "csat_survey_enabled": false,
               "allow_messages_after_resolved": true, "auto_assignment_config": {},
               "lock_to_single_conversation": false, "portal_id": null, "sender_name_type": "friendly",
               "business_name": null, "csat_config": {}})
    }

    /// A contact as `_contact.json.jbuilder` writes it: `last_activity_at` only once there was
    /// activity, `contact_inboxes` only on the `/contacts` endpoints (`with_contact_inboxes`).
    fn contact_json(&self, state: &State_, c: &Contact, with_contact_inboxes: bool) -> Value {
        let mut value = json!({"additional_attributes": {}, "availability_status": "offline", "email": c.email,
               "id": c.id, "name": c.name, "phone_number": c.phone, "blocked": false, "identifier": c.identifier,
               "thumbnail": "", "custom_attributes": c.custom_attributes, "created_at": c.created_at});
        if let Some(at) = c.last_activity_at {
            value["last_activity_at"] = json!(at);
        }
        if with_contact_inboxes {
            let inboxes: Vec<Value> = c
                .sessions
                .iter()
                .filter_map(|(inbox, source)| {
                    let inbox = state.inboxes.iter().find(|i| i.id == *inbox)?;
                    Some(json!({"source_id": source, "inbox": Self::inbox_slim(inbox)}))
                })
                .collect();
            value["contact_inboxes"] = json!(inboxes);
        }
        value
    }

    /// A message as `api/v1/models/_message.json.jbuilder` writes it (the create, update and
    /// list answers): `echo_id` when the client gave one, `attachments` when there are any.
    fn message_json(&self, conv: &Conversation, m: &Message) -> Value {
        let mut value = json!({"id": m.id, "content": m.content, "inbox_id": conv.inbox_id,
               "conversation_id": conv.id, "message_type": m.message_type, "content_type": "text",
               "status": if m.external_error.is_some() { "failed" } else { "sent" },
               "content_attributes": content_attributes(m), "created_at": m.created_at, "private": m.private,
               "source_id": m.source_id, "sender": m.sender});
        if let Some(echo) = &m.echo_id {
            value["echo_id"] = json!(echo);
        }
        if !m.attachments.is_empty() {
            value["attachments"] = json!(m.attachments);
        }
        value
    }

    /// A message as `Message#push_event_data` writes it (the conversation's `messages` and
    /// `last_non_activity_message`; konversio-org/konversio 88ffa329, `app/models/message.rb`).
    fn message_push(&self, conv: &Conversation, m: &Message) -> Value {
        let mut value = json!({"id": m.id, "content": m.content, "account_id": self.account, "inbox_id": conv.inbox_id,
               "conversation_id": conv.id, "message_type": m.message_type, "created_at": m.created_at,
               "updated_at": iso(m.created_at), "private": m.private,
               "status": if m.external_error.is_some() { "failed" } else { "sent" },
               "source_id": m.source_id, "content_type": "text", "content_attributes": content_attributes(m),
               "sender_type": if m.message_type == 0 { "Contact" } else { "User" }, "sender_id": m.sender["id"],
               "external_source_ids": {}, "additional_attributes": {}, "processed_message_content": m.content,
               "sentiment": {},
               "conversation": {"assignee_id": conv.assignee, "unread_count": 0,
                                "last_activity_at": conv.messages.last().map_or(conv.created_at, |m| m.created_at),
                                "contact_inbox": {"source_id": conv.source_id}},
               "sender": m.sender});
        if !m.attachments.is_empty() {
            value["attachments"] = json!(m.attachments);
        }
        value
    }

    /// A conversation as `_conversation.json.jbuilder` writes it (konversio-org/konversio
    /// 88ffa329): no `contact_inbox`; the last message (and the last non-activity one) as push
    /// data, whose `conversation` names the session; `meta.assignee` only when assigned.
    fn conversation_json(&self, state: &State_, conv: &Conversation) -> Value {
        let sender = state
            .contacts
            .iter()
            .find(|c| c.id == conv.contact_id)
            .map(|c| self.contact_json(state, c, false))
            .unwrap_or(Value::Null);
        let last_activity = conv.messages.last().map_or(conv.created_at, |m| m.created_at);
        let mut meta = json!({"sender": sender, "channel": "Channel::Api", "hmac_verified": false});
        if conv.assignee.is_some() {
            meta["assignee"] = agent_json(self.account);
            meta["assignee_type"] = json!("User");
        }
        json!({"meta": meta, "id": conv.id,
               "messages": conv.messages.last().map(|m| vec![self.message_push(conv, m)]).unwrap_or_default(),
               "account_id": self.account, "uuid": conv.uuid, "additional_attributes": {},
               "agent_last_seen_at": 0, "assignee_last_seen_at": 0, "can_reply": true,
               "contact_last_seen_at": conv.contact_last_seen_at.unwrap_or(0),
               "custom_attributes": conv.custom_attributes, "inbox_id": conv.inbox_id, "labels": conv.labels,
               "muted": false, "snoozed_until": null, "status": conv.status, "created_at": conv.created_at,
               "updated_at": conv.updated_at as f64, "timestamp": last_activity,
               "first_reply_created_at": conv.first_reply_created_at, "unread_count": 0,
               "last_non_activity_message": conv.messages.last().map(|m| self.message_push(conv, m)),
               "last_activity_at": last_activity, "priority": conv.priority,
               "waiting_since": conv.waiting_since, "sla_policy_id": null})
    }

    // ---- webhooks ----------------------------------------------------------------------

    fn webhook(&self, inbox_id: u64, body: Value, summary: String) -> Result<(), SimError> {
        let (url, headers, body) = self.signed_delivery(inbox_id, body)?;
        self.shared
            .post(url, headers, body, Some(summary), Duration::from_secs(5));
        Ok(())
    }

    /// `message_created` to the API inbox's webhook, watched: when it fails (an error, a time
    /// out past 5 s, a non-2xx answer) Chatwoot does not retry, it marks the message `failed`
    /// with the error as `external_error`, and that update fires `message_updated`
    /// (konversio-org/konversio 88ffa329, `lib/webhooks/trigger.rb` L16-24, L55-65, L90-113;
    /// `app/services/messages/status_update_service.rb` L18-24). The error text is the
    /// simulator's own wording (Chatwoot's is RestClient's).
    fn message_webhook(&self, inbox_id: u64, body: Value, summary: String, conversation: u64, message: u64) {
        let Ok((url, headers, body)) = self.signed_delivery(inbox_id, body) else {
            return;
        };
        // Queued now, so the faults in force now decide its fate; its answer is awaited apart.
        let answer = self.shared.outbox.queue(crate::delivery::Delivery {
            url,
            headers,
            body: body.into(),
            summary: Some(summary),
            timeout: Duration::from_secs(5),
            answer: None,
        });
        let me = self.me.get().cloned();
        tokio::spawn(async move {
            let answer = answer.await;
            let error = match answer {
                Ok((status, _, _)) if (200..300).contains(&status) => return,
                Ok((status, _, _)) => format!(
                    "{status} {}",
                    http::StatusCode::from_u16(status)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("")
                ),
                Err(error) => error,
            };
            if let Some(desk) = me.and_then(|me| me.upgrade()) {
                desk.fail_message(conversation, message, error.trim());
            }
        });
    }

    /// The message's delivery failed: `failed`, with the error, and `message_updated` (sent
    /// once: a failed `message_updated` changes nothing more, so fires nothing more).
    fn fail_message(&self, conversation: u64, message: u64, error: &str) {
        let (event, inbox) = {
            let mut state = self.state();
            let Some(conv) = state.conversations.get_mut(&conversation) else {
                return;
            };
            let Some(m) = conv.messages.iter_mut().find(|m| m.id == message) else {
                return;
            };
            if m.external_error.as_deref() == Some(error) {
                return;
            }
            m.external_error = Some(error.to_owned());
            let m = m.clone();
            let conv = conv.clone();
            let mut event = self.message_event(&state, &conv, &m);
            event["event"] = json!("message_updated");
            (event, conv.inbox_id)
        };
        let _ = self.webhook(inbox, event, format!("failed: {message}"));
    }

    /// The URL, headers and body of a webhook to `inbox_id`'s URL.
    fn signed_delivery(&self, inbox_id: u64, body: Value) -> Result<(String, HeaderMap, String), SimError> {
        let url = {
            let state = self.state();
            let inbox = state.inboxes.iter().find(|i| i.id == inbox_id).cloned();
            match inbox.and_then(|i| i.webhook_url) {
                Some(url) => url,
                None if state.inboxes.first().is_some_and(|i| i.id == inbox_id) => self
                    .shared
                    .webhook_url()
                    .ok_or(SimError::NoTarget("the inbox's webhook"))?,
                None => return Err(SimError::NoTarget("the inbox's webhook")),
            }
        };
        let body = body.to_string();
        // `lib/webhooks/trigger.rb#request_headers` (konversio-org/konversio 88ffa329, L44-53):
        // JSON content type and accept, a new delivery id for every delivery, and with a secret
        // the timestamp and `sha256=` + hex HMAC-SHA256 of "{ts}.{body}". Written here from
        // Chatwoot's code, independently of deskwire-chatlake's verifier.
        let ts = SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default()
            .to_string();
        let signature = format!(
            "sha256={}",
            self.signer.sign_hex_parts(&[ts.as_bytes(), b".", body.as_bytes()])
        );
        let mut headers = HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(http::header::ACCEPT, HeaderValue::from_static("application/json"));
        for (name, value) in [
            ("x-chatwoot-delivery", uuid::Uuid::new_v4().to_string()),
            ("x-chatwoot-timestamp", ts),
            ("x-chatwoot-signature", signature),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        Ok((url, headers, body))
    }

    /// A conversation as webhooks carry it: `Conversations::EventDataPresenter#webhook_data`
    /// (konversio-org/konversio 88ffa329, `app/presenters/conversations/event_data_presenter.rb`
    /// L2-59): the contact's session as the raw `ContactInbox` record, `meta` with every key
    /// (`assignee` and `team` null when unset), the last chat message's push data,
    /// `first_reply_created_at` as a time (ISO ms, or null), `waiting_since` in seconds,
    /// `updated_at` a float.
    fn conversation_push(&self, state: &State_, conv: &Conversation) -> Value {
        let contact = state.contacts.iter().find(|c| c.id == conv.contact_id);
        let sender = contact.map(contact_push).unwrap_or(Value::Null);
        let session_at = iso(conv.created_at);
        let last_activity = conv.messages.last().map_or(conv.created_at, |m| m.created_at);
        let chat = conv.messages.iter().rev().find(|m| m.message_type != 2);
        json!({"additional_attributes": {}, "can_reply": true, "channel": "Channel::Api",
               "contact_inbox": {"id": conv.contact_id, "contact_id": conv.contact_id, "inbox_id": conv.inbox_id,
                                 "source_id": conv.source_id, "created_at": session_at, "updated_at": session_at,
                                 "hmac_verified": false, "pubsub_token": pubsub_token(&conv.source_id)},
               "id": conv.id, "inbox_id": conv.inbox_id,
               "messages": chat.map(|m| vec![self.message_push(conv, m)]).unwrap_or_default(),
               "labels": conv.labels,
               "meta": {"sender": sender, "assignee": conv.assignee.map(|_| agent_sender()),
                        "assignee_type": conv.assignee.map(|_| "User"), "team": null, "hmac_verified": false},
               "status": conv.status, "custom_attributes": conv.custom_attributes, "snoozed_until": null,
               "unread_count": 0,
               "first_reply_created_at": (conv.first_reply_created_at > 0).then(|| iso(conv.first_reply_created_at)),
               "priority": conv.priority, "waiting_since": conv.waiting_since,
               "agent_last_seen_at": 0, "contact_last_seen_at": conv.contact_last_seen_at.unwrap_or(0),
               "last_activity_at": last_activity, "timestamp": last_activity, "created_at": conv.created_at,
               "updated_at": conv.updated_at as f64})
    }

    /// `conversation_<event>` for `conversation` with `changed` (`[{attr: {previous_value,
    /// current_value}}]`, `app/listeners/webhook_listener.rb` L2-23); `None` when it is gone.
    fn conversation_event(&self, conversation: u64, event: &str, changed: Option<Value>) -> Option<(u64, Value)> {
        let state = self.state();
        let conv = state.conversations.get(&conversation)?;
        let mut body = self.conversation_push(&state, conv);
        body["event"] = json!(event);
        if let Some(changed) = changed {
            body["changed_attributes"] = changed;
        }
        Some((conv.inbox_id, body))
    }

    fn send_conversation_event(&self, conversation: u64, event: &str, changed: Option<Value>, summary: String) {
        if let Some((inbox, body)) = self.conversation_event(conversation, event, changed) {
            let _ = self.webhook(inbox, body, summary);
        }
    }

    /// `conversation_typing_on` / `_off` by the agent: `{event, user, conversation, is_private}`
    /// (`app/listeners/webhook_listener.rb#handle_typing_status`, konversio-org/konversio 88ffa329).
    fn typing(&self, conversation: u64, on: bool) -> Result<(), SimError> {
        let event = if on {
            "conversation_typing_on"
        } else {
            "conversation_typing_off"
        };
        let (inbox, mut body) = self
            .conversation_event(conversation, event, None)
            .ok_or_else(|| SimError::UnknownConversation(conversation.to_string()))?;
        let data = body.take();
        body = json!({"event": event, "is_private": false, "user": {"id": 1, "name": "Bob", "type": "user"},
                      "conversation": data});
        body["conversation"].as_object_mut().map(|c| c.remove("event"));
        self.webhook(inbox, body, format!("typing: {}", if on { "on" } else { "off" }))
    }

    fn message_event(&self, state: &State_, conv: &Conversation, m: &Message) -> Value {
        let inbox = state.inboxes.iter().find(|i| i.id == conv.inbox_id);
        let sender = if m.message_type == 0 {
            let mut s = m.sender.clone();
            s["type"] = json!("contact");
            s
        } else {
            // `User#webhook_data` (app/models/user.rb L155-162).
            json!({"id": m.sender["id"], "name": m.sender["name"], "email": "bob@deskwire-sim.test", "type": "user"})
        };
        // `Message#webhook_data` (app/models/message.rb L180-198): `created_at` is the time
        // itself, which Rails writes as ISO 8601 with milliseconds (REST answers write seconds).
        json!({"event": "message_created", "id": m.id, "content": m.content,
               "created_at": iso(m.created_at), "message_type": if m.message_type == 0 { "incoming" } else { "outgoing" },
               "content_type": "text", "content_attributes": content_attributes(m), "source_id": m.source_id, "additional_attributes": {},
               "private": m.private, "sender": sender,
               "account": {"id": self.account, "name": "deskwire-sim"},
               "conversation": self.conversation_push(state, conv),
               "inbox": {"id": conv.inbox_id, "name": inbox.map(|i| i.name.clone())}})
    }

    /// Appends a message and sends its webhook; the agent hears customer messages.
    fn add_message(&self, conversation: u64, mut message: Message) -> Result<Value, Response> {
        let (event, view, inbox) = {
            let mut state = self.state();
            let Some(conv) = state.conversations.get(&conversation) else {
                return Err(not_found());
            };
            // `Message#prevent_message_flooding` (konversio-org/konversio 88ffa329,
            // `app/models/message.rb` L66, L288-298; `lib/limits.rb` L14-16): every message of
            // the conversation in the last minute counts, whoever wrote it.
            let last_minute = conv
                .messages
                .iter()
                .filter(|m| m.created_at + 60 >= message.created_at)
                .count() as u64;
            if last_minute >= self.message_limit {
                return Err(record_invalid(&[("base", "Too many messages".to_owned())]));
            }
            message.id = state.next_message;
            state.next_message += 1;
            state.activity += 1;
            let activity = state.activity;
            let Some(conv) = state.conversations.get_mut(&conversation) else {
                return Err(not_found());
            };
            conv.messages.push(message.clone());
            conv.updated_at = now();
            conv.activity = activity;
            let conv = conv.clone();
            // An incoming message is the contact's activity (`Contact#last_activity_at`).
            if message.message_type == 0 {
                if let Some(contact) = state.contacts.iter_mut().find(|c| c.id == conv.contact_id) {
                    contact.last_activity_at = Some(message.created_at);
                }
            }
            (
                self.message_event(&state, &conv, &message),
                self.message_json(&conv, &message),
                conv.inbox_id,
            )
        };
        // A customer writing into a resolved conversation reopens it, events first
        // (`Message#reopen_conversation` runs before `dispatch_create_events`, message.rb L324-330).
        if message.message_type == 0
            && self
                .state()
                .conversations
                .get(&conversation)
                .is_some_and(|c| c.status == "resolved")
        {
            self.set_status(conversation, "open");
        }
        // `message_created` goes out when `webhook_sendable?` (incoming, outgoing or template),
        // private notes included; activity messages never (konversio-org/konversio 88ffa329,
        // `app/models/concerns/message_filter_helpers.rb` L8-10,
        // `app/listeners/webhook_listener.rb` L25-33).
        if message.message_type != 2 {
            let who = match (message.message_type, message.private) {
                (_, true) => "private note",
                (0, _) => "message",
                _ => "agent",
            };
            self.message_webhook(
                inbox,
                event,
                format!("{who}: {}", message.content),
                conversation,
                message.id,
            );
        }
        self.update_waiting(conversation, &message);
        if message.message_type == 0 && !message.private {
            self.shared.customer_said(&conversation.to_string(), &message.content);
        }
        Ok(view)
    }

    /// The waiting clock after a message (`Message#update_waiting_since` and the first-reply
    /// branch, message.rb L339-386): a human answer clears it (and is the first reply when
    /// none was), a customer message starts it when it is not running; each change fires
    /// `conversation_updated`.
    fn update_waiting(&self, conversation: u64, message: &Message) {
        let human = message.message_type == 1 && !message.private && message.sender["type"] == "user";
        let changed = {
            let mut state = self.state();
            let Some(conv) = state.conversations.get_mut(&conversation) else {
                return;
            };
            let mut changed = Vec::new();
            if human && conv.first_reply_created_at == 0 {
                changed.push(
                    json!({"first_reply_created_at": {"previous_value": null, "current_value": message.created_at}}),
                );
                conv.first_reply_created_at = message.created_at;
            }
            if human && conv.waiting_since != 0 {
                changed.push(json!({"waiting_since": {"previous_value": conv.waiting_since, "current_value": null}}));
                conv.waiting_since = 0;
            } else if message.message_type == 0 && conv.waiting_since == 0 {
                changed.push(json!({"waiting_since": {"previous_value": null, "current_value": message.created_at}}));
                conv.waiting_since = message.created_at;
            }
            changed
        };
        if !changed.is_empty() {
            self.send_conversation_event(
                conversation,
                "conversation_updated",
                Some(json!(changed)),
                "updated: waiting".into(),
            );
        }
    }

    /// A status change fires `conversation_status_changed` and `conversation_updated`
    /// (`Conversation#notify_status_change`, `#notify_conversation_updation`, L273-310 of
    /// `app/models/conversation.rb` at konversio-org/konversio 88ffa329); resolving clears
    /// `waiting_since` without callbacks (L229-233).
    fn set_status(&self, conversation: u64, status: &str) -> Option<bool> {
        let previous = {
            let mut state = self.state();
            let conv = state.conversations.get_mut(&conversation)?;
            let previous = std::mem::replace(&mut conv.status, status.to_owned());
            if previous == status {
                return Some(false);
            }
            conv.updated_at = now();
            if status == "resolved" {
                conv.waiting_since = 0;
            }
            previous
        };
        let changed = json!([{"status": {"previous_value": previous, "current_value": status}}]);
        self.send_conversation_event(
            conversation,
            "conversation_status_changed",
            Some(changed.clone()),
            format!("status: {status}"),
        );
        self.send_conversation_event(
            conversation,
            "conversation_updated",
            Some(changed),
            format!("updated: status {status}"),
        );
        Some(true)
    }

    /// The contact's session on `inbox`: the one with `source` when it is given and exists, else
    /// a new one. Chatwoot never reuses a session it was not named: every App API create
    /// without `source_id` and every Client API contact create makes a new contact_inbox
    /// (konversio-org/konversio 88ffa329, `app/builders/contact_inbox_builder.rb`,
    /// `app/builders/contact_inbox_with_contact_builder.rb`).
    fn find_or_session(&self, state: &mut State_, inbox: u64, contact: u64, source: Option<String>) -> String {
        let contact = state.contacts.iter_mut().find(|c| c.id == contact);
        let Some(contact) = contact else { return String::new() };
        if let Some((_, s)) = contact
            .sessions
            .iter()
            .find(|(i, s)| *i == inbox && source.as_ref().is_some_and(|w| w == s))
        {
            return s.clone();
        }
        let source = source.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        contact.sessions.push((inbox, source.clone()));
        source
    }

    fn new_contact(&self, state: &mut State_, body: &Value) -> Contact {
        let contact = Contact {
            id: state.contacts.len() as u64 + 1,
            name: text_of(body, "name"),
            email: text_of(body, "email"),
            phone: text_of(body, "phone_number").filter(|p| !p.is_empty()),
            identifier: text_of(body, "identifier"),
            custom_attributes: body
                .get("custom_attributes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            sessions: Vec::new(),
            created_at: now(),
            last_activity_at: None,
        };
        state.contacts.push(contact.clone());
        contact
    }

    fn new_conversation(&self, state: &mut State_, inbox: u64, contact: u64, source: String) -> Conversation {
        let conversation = Conversation {
            id: 300 + state.conversations.len() as u64 + 1,
            inbox_id: inbox,
            contact_id: contact,
            source_id: source,
            status: "open".into(),
            messages: Vec::new(),
            contact_last_seen_at: None,
            created_at: now(),
            updated_at: now(),
            activity: state.activity + 1,
            // `before_create :ensure_waiting_since` (app/models/conversation.rb L119, L241-243).
            waiting_since: now(),
            first_reply_created_at: 0,
            priority: None,
            labels: Vec::new(),
            custom_attributes: json!({}),
            assignee: None,
            uuid: uuid::Uuid::new_v4().to_string(),
        };
        state.activity += 1;
        state.conversations.insert(conversation.id, conversation.clone());
        conversation
    }

    fn contact_sender(&self, conversation: u64) -> Value {
        let state = self.state();
        let contact = state
            .conversations
            .get(&conversation)
            .and_then(|conv| state.contacts.iter().find(|c| c.id == conv.contact_id));
        match contact {
            Some(c) => contact_push(c),
            None => json!({"type": "contact"}),
        }
    }

    fn inbox_by_identifier(&self, identifier: &str) -> Option<Inbox> {
        self.state()
            .inboxes
            .iter()
            .find(|i| i.identifier == identifier)
            .cloned()
    }

    /// The identity check of the Client API's contact create, show and update.
    fn identity_ok(&self, identifier: Option<&str>, hash: Option<&str>) -> bool {
        if !self.hmac_mandatory && hash.is_none() {
            return true;
        }
        // `identifier_hash` is the hex HMAC-SHA256 of the identifier keyed with the inbox's
        // `hmac_token` (`app/controllers/public/api/v1/inboxes/contacts_controller.rb#valid_hmac?`).
        let expected = HmacSha256::new(&self.hmac_token).sign_hex(identifier.unwrap_or_default().as_bytes());
        hash.is_some_and(|h| Secret::new(expected).matches(h.as_bytes()))
    }
}

fn bare_500() -> Response {
    answer(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!({"status": 500, "error": "Internal Server Error"}),
    )
}

// ---- Application API -----------------------------------------------------------------------

type Desk_ = State<Arc<ChatlakeDesk>>;

fn json_body(body: &Bytes) -> Value {
    if body.is_empty() {
        return json!({});
    }
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

macro_rules! guard {
    ($desk:expr, $headers:expr, $account:expr) => {
        // Without a token Devise answers (`Api::BaseController#authenticate_user!`); a token
        // that names no one is `Invalid Access Token` (`access_token_auth_helper.rb` L8-20).
        if !$headers.contains_key("api_access_token") && !$headers.contains_key("api-access-token") {
            return answer(
                StatusCode::UNAUTHORIZED,
                &json!({"errors": ["You need to sign in or sign up before continuing."]}),
            );
        }
        if !$desk.authorized(&$headers) {
            return answer(StatusCode::UNAUTHORIZED, &json!({"error": "Invalid Access Token"}));
        }
        if $account != $desk.account {
            return answer(StatusCode::UNAUTHORIZED, &json!({"error": "You are not authorized to access this account"}));
        }
    };
}

/// A contact's validations, in `Contact`'s order (konversio-org/konversio 88ffa329,
/// `app/models/contact.rb` L50-56; messages from `config/locales/en.yml` and Rails): email
/// unique per account whatever its case and `Devise.email_regexp`-shaped (`config/initializers/
/// devise.rb` L162), identifier unique, phone number unique and E.164. `except` is the contact
/// being updated. Blank values are not checked (`allow_blank`).
fn contact_valid(state: &State_, body: &Value, except: Option<u64>) -> Result<(), Response> {
    let others = || state.contacts.iter().filter(|c| Some(c.id) != except);
    let given = |key: &str| {
        text_of(body, key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut errors = Vec::new();
    if let Some(email) = given("email") {
        let email = email.to_lowercase();
        if others().any(|c| c.email.as_deref().map(str::to_lowercase).as_deref() == Some(email.as_str())) {
            errors.push(("email", "Email has already been taken".to_owned()));
        }
        let shaped = email.split_once('@').is_some_and(|(a, b)| {
            !a.is_empty() && !b.is_empty() && !b.contains('@') && !email.contains(char::is_whitespace)
        });
        if !shaped {
            errors.push(("email", "Email Invalid email".to_owned()));
        }
    }
    if let Some(identifier) = given("identifier") {
        if others().any(|c| c.identifier.as_deref() == Some(identifier.as_str())) {
            errors.push(("identifier", "Identifier has already been taken".to_owned()));
        }
    }
    if let Some(phone) = given("phone_number") {
        if others().any(|c| c.phone.as_deref() == Some(phone.as_str())) {
            errors.push(("phone_number", "Phone number has already been taken".to_owned()));
        }
        let digits = phone.strip_prefix('+').unwrap_or("");
        let e164 =
            (2..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
        if !e164 {
            errors.push(("phone_number", "Phone number should be in e164 format".to_owned()));
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(record_invalid(&errors)),
    }
}

async fn contacts_create(State(desk): Desk_, Path(account): Path<u64>, headers: HeaderMap, body: Bytes) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    if !body.is_object() {
        return answer(StatusCode::BAD_REQUEST, &json!({"error": "the body is not JSON"}));
    }
    let mut state = desk.state.lock().unwrap_or_else(|p| p.into_inner());
    if let Err(invalid) = contact_valid(&state, &body, None) {
        return invalid;
    }
    let contact = desk.new_contact(&mut state, &body);
    let session = id_of(&body, "inbox_id").map(|inbox| {
        let source = desk.find_or_session(&mut state, inbox, contact.id, text_of(&body, "source_id"));
        (inbox, source)
    });
    let contact = state
        .contacts
        .iter()
        .find(|c| c.id == contact.id)
        .cloned()
        .unwrap_or(contact);
    let contact_inbox = match session {
        Some((inbox, source)) => {
            json!({"inbox": state.inboxes.iter().find(|i| i.id == inbox).map(|i| desk.inbox_record(i)), "source_id": source})
        }
        None => Value::Null,
    };
    let view =
        json!({"payload": {"contact": desk.contact_json(&state, &contact, true), "contact_inbox": contact_inbox}});
    json_summarized(StatusCode::OK, &view, None)
}

async fn contacts_list(
    State(desk): Desk_,
    Path(account): Path<u64>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    guard!(desk, headers, account);
    let state = desk.state();
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let needle = q.get("q").map(|s| s.to_lowercase());
    let matching: Vec<&Contact> = state
        .contacts
        .iter()
        .filter(|c| match &needle {
            None => true,
            Some(n) => [&c.name, &c.email, &c.phone, &c.identifier]
                .iter()
                .any(|f| f.as_ref().is_some_and(|v| v.to_lowercase().contains(n.as_str()))),
        })
        .collect();
    let payload: Vec<Value> = matching
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|c| desk.contact_json(&state, c, true))
        .collect();
    answer(
        StatusCode::OK,
        &json!({"meta": {"count": matching.len(), "current_page": page}, "payload": payload}),
    )
}

async fn contact_show(State(desk): Desk_, Path((account, id)): Path<(u64, u64)>, headers: HeaderMap) -> Response {
    guard!(desk, headers, account);
    let state = desk.state();
    match state.contacts.iter().find(|c| c.id == id) {
        Some(c) => answer(StatusCode::OK, &json!({"payload": desk.contact_json(&state, c, true)})),
        None => not_found(),
    }
}

async fn contact_update(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    let mut state = desk.state();
    if let Err(invalid) = contact_valid(&state, &body, Some(id)) {
        return invalid;
    }
    let Some(contact) = state.contacts.iter_mut().find(|c| c.id == id) else {
        return not_found();
    };
    contact.update_from(&body);
    let contact = contact.clone();
    answer(
        StatusCode::OK,
        &json!({"payload": desk.contact_json(&state, &contact, true)}),
    )
}

async fn contact_inboxes_create(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    let Some(inbox) = id_of(&body, "inbox_id") else {
        return unprocessable("Inbox must exist");
    };
    let mut state = desk.state();
    if !state.contacts.iter().any(|c| c.id == id) || !state.inboxes.iter().any(|i| i.id == inbox) {
        return not_found();
    }
    let source = desk.find_or_session(&mut state, inbox, id, text_of(&body, "source_id"));
    let inbox = state.inboxes.iter().find(|i| i.id == inbox).map(|i| desk.inbox_json(i));
    answer(StatusCode::OK, &json!({"source_id": source, "inbox": inbox}))
}

async fn contact_conversations(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
) -> Response {
    guard!(desk, headers, account);
    let state = desk.state();
    let payload: Vec<Value> = state
        .conversations
        .values()
        .filter(|c| c.contact_id == id)
        .map(|c| desk.conversation_json(&state, c))
        .collect();
    answer(StatusCode::OK, &json!({"payload": payload}))
}

async fn conversations_create(
    State(desk): Desk_,
    Path(account): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    let Some(source) = text_of(&body, "source_id").filter(|s| !s.trim().is_empty()) else {
        return not_found();
    };
    let (conversation, first) = {
        let mut state = desk.state();
        let found = state.contacts.iter().find_map(|c| {
            c.sessions
                .iter()
                .find(|(_, s)| *s == source)
                .map(|(inbox, _)| (c.id, *inbox))
        });
        // Chatwoot finds the contact's session by `source_id` and answers 404 when there is none.
        let Some((contact, inbox)) = found else {
            return not_found();
        };
        if id_of(&body, "inbox_id").is_some_and(|i| i != inbox) {
            return not_found();
        }
        let mut conversation = desk.new_conversation(&mut state, inbox, contact, source);
        if let Some(status) = text_of(&body, "status") {
            conversation.status = status.clone();
            if let Some(c) = state.conversations.get_mut(&conversation.id) {
                c.status = status;
            }
        }
        (
            conversation,
            body.pointer("/message/content")
                .and_then(Value::as_str)
                .map(str::to_owned),
        )
    };
    // `after_create_commit :notify_conversation_creation` (conversation.rb L122, L270).
    desk.send_conversation_event(
        conversation.id,
        "conversation_created",
        None,
        "conversation created".into(),
    );
    if let Some(content) = first {
        // The same `MessageBuilder` as a message create (`conversations_controller.rb` L42 at
        // konversio-org/konversio 88ffa329): outgoing, as the token's owner, unless the
        // message says `incoming`.
        let incoming = matches!(
            body.pointer("/message/message_type").and_then(Value::as_str),
            Some("incoming") | Some("0")
        );
        let sender = if incoming {
            desk.contact_sender(conversation.id)
        } else {
            agent_sender()
        };
        let _ = desk.add_message(
            conversation.id,
            Message {
                id: 0,
                content,
                message_type: if incoming { 0 } else { 1 },
                private: false,
                created_at: now(),
                source_id: None,
                attachments: Vec::new(),
                sender,
                external_error: None,
                deleted: false,
                echo_id: None,
            },
        );
    }
    let state = desk.state();
    let conv = state
        .conversations
        .get(&conversation.id)
        .cloned()
        .unwrap_or(conversation);
    answer(StatusCode::OK, &desk.conversation_json(&state, &conv))
}

async fn conversations_list(
    State(desk): Desk_,
    Path(account): Path<u64>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    guard!(desk, headers, account);
    let state = desk.state();
    let status = q.get("status").map_or("open", String::as_str);
    let inbox: Option<u64> = q.get("inbox_id").and_then(|i| i.parse().ok());
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let within: Option<u64> = q.get("updated_within").and_then(|w| w.parse().ok());
    let mut matching: Vec<&Conversation> = state
        .conversations
        .values()
        .filter(|c| status == "all" || c.status == status)
        .filter(|c| inbox.is_none_or(|i| i == c.inbox_id))
        .filter(|c| within.is_none_or(|w| c.updated_at + w > now()))
        .collect();
    // `last_activity_at_desc` by default (`conversation_finder.rb#conversations`).
    matching.sort_by_key(|c| std::cmp::Reverse(c.activity));
    let n = matching.len();
    // 25 per page, as Chatwoot pages conversations — except with `updated_within`, which
    // answers every match at once (konversio-org/konversio 88ffa329,
    // `app/finders/conversation_finder.rb` L204-216: no `.page` on that branch).
    let (skip, take) = match within {
        Some(_) => (0, usize::MAX),
        None => ((page - 1) * 25, 25),
    };
    let payload: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(take)
        .map(|c| desk.conversation_json(&state, c))
        .collect();
    answer(
        StatusCode::OK,
        &json!({"data": {"meta": {"mine_count": 0, "unassigned_count": n, "assigned_count": 0, "all_count": n}, "payload": payload}}),
    )
}

async fn conversation_show(State(desk): Desk_, Path((account, id)): Path<(u64, u64)>, headers: HeaderMap) -> Response {
    guard!(desk, headers, account);
    let state = desk.state();
    match state.conversations.get(&id) {
        Some(c) => answer(StatusCode::OK, &desk.conversation_json(&state, c)),
        None => not_found(),
    }
}

async fn toggle_status(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    let current = match desk.state().conversations.get(&id) {
        Some(c) => c.status.clone(),
        None => return not_found(),
    };
    let status = text_of(&body, "status").unwrap_or_else(|| {
        if current == "open" {
            "resolved".into()
        } else {
            "open".into()
        }
    });
    if !["open", "resolved", "pending", "snoozed"].contains(&status.as_str()) {
        return unprocessable("Status is not included in the list");
    }
    desk.set_status(id, &status);
    let summary = (status == "resolved").then(|| "close".to_owned());
    json_summarized(
        StatusCode::OK,
        &json!({"meta": {}, "payload": {"success": true, "conversation_id": id, "current_status": status}}),
        summary,
    )
}

/// The fields of a message create, from JSON or multipart.
#[derive(Debug, Default)]
struct NewMessage {
    content: Option<String>,
    message_type: Option<String>,
    private: bool,
    source_id: Option<String>,
    echo_id: Option<String>,
    files: Vec<(String, String, usize)>,
}

async fn read_new_message(request: Request) -> Result<NewMessage, Response> {
    let multipart = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut message = NewMessage::default();
    if multipart {
        let mut form = Multipart::from_request(request, &())
            .await
            .map_err(IntoResponse::into_response)?;
        while let Ok(Some(field)) = form.next_field().await {
            let name = field.name().unwrap_or_default().to_owned();
            let file = field.file_name().map(str::to_owned);
            let kind = field.content_type().unwrap_or("application/octet-stream").to_owned();
            let bytes = field.bytes().await.map_err(IntoResponse::into_response)?;
            match (name.as_str(), file) {
                ("attachments[]" | "attachments", Some(file)) => message.files.push((file, kind, bytes.len())),
                ("content", _) => message.content = Some(String::from_utf8_lossy(&bytes).into_owned()),
                ("message_type", _) => message.message_type = Some(String::from_utf8_lossy(&bytes).into_owned()),
                ("private", _) => message.private = &bytes[..] == b"true",
                ("source_id", _) => message.source_id = Some(String::from_utf8_lossy(&bytes).into_owned()),
                ("echo_id", _) => message.echo_id = Some(String::from_utf8_lossy(&bytes).into_owned()),
                _ => {}
            }
        }
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), 40 << 20)
            .await
            .map_err(|_| answer(StatusCode::PAYLOAD_TOO_LARGE, &json!({"error": "too large"})))?;
        let body = json_body(&bytes);
        message.content = text_of(&body, "content");
        message.message_type = text_of(&body, "message_type");
        message.private = body.get("private").and_then(Value::as_bool).unwrap_or(false);
        message.source_id = text_of(&body, "source_id");
        message.echo_id = text_of(&body, "echo_id");
    }
    Ok(message)
}

impl ChatlakeDesk {
    fn attachments(&self, files: &[(String, String, usize)]) -> Vec<Value> {
        files
            .iter()
            .enumerate()
            .map(|(i, (file, kind, size))| {
                let file_type = if kind.starts_with("image/") { "image" } else { "file" };
                json!({"id": i + 1, "file_type": file_type, "extension": file.rsplit('.').next(), "file_size": size,
                       "data_url": format!("{}/rails/active_storage/blobs/{}", self.base_url, file)})
            })
            .collect()
    }

    fn create_message(&self, conversation: u64, new: NewMessage, sender: Value) -> Response {
        let content = new.content.unwrap_or_default();
        if content.chars().count() > CONTENT_LIMIT {
            return unprocessable("Content is too long (maximum is 150000 characters)");
        }
        if content.is_empty() && new.files.is_empty() {
            return unprocessable("Content can't be blank");
        }
        // Without `message_type` a message is outgoing, sent as the token's owner
        // (konversio-org/konversio 88ffa329, `app/builders/messages/message_builder.rb` L14, L106-107).
        let message_type = match new.message_type.as_deref() {
            Some("incoming") | Some("0") => 0,
            None | Some("outgoing") | Some("1") => 1,
            Some("activity") | Some("2") => 2,
            Some(_) => return unprocessable("Message type is not included in the list"),
        };
        let sender = if message_type == 0 { sender } else { agent_sender() };
        let message = Message {
            id: 0,
            content: content.clone(),
            message_type,
            private: new.private,
            created_at: now(),
            source_id: new.source_id,
            attachments: self.attachments(&new.files),
            sender,
            external_error: None,
            deleted: false,
            echo_id: new.echo_id,
        };
        match self.add_message(conversation, message) {
            Ok(view) => {
                let summary = (message_type == 0 && !new.private).then(|| format!("message: {content}"));
                json_summarized(StatusCode::OK, &view, summary)
            }
            Err(response) => response,
        }
    }

    fn messages_json(&self, conversation: u64) -> Option<Vec<Value>> {
        let state = self.state();
        let conv = state.conversations.get(&conversation)?;
        Some(conv.messages.iter().map(|m| self.message_json(conv, m)).collect())
    }
}

async fn messages_create(State(desk): Desk_, Path((account, id)): Path<(u64, u64)>, request: Request) -> Response {
    guard!(desk, request.headers().clone(), account);
    let new = match read_new_message(request).await {
        Ok(new) => new,
        Err(response) => return response,
    };
    let sender = desk.contact_sender(id);
    desk.create_message(id, new, sender)
}

async fn messages_list(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    guard!(desk, headers, account);
    let after: Option<u64> = q.get("after").and_then(|v| v.parse().ok());
    let before: Option<u64> = q.get("before").and_then(|v| v.parse().ok());
    match desk.messages_json(id) {
        Some(all) => answer(
            StatusCode::OK,
            &json!({"meta": {"labels": [], "additional_attributes": {}}, "payload": message_page(all, after, before)}),
        ),
        None => not_found(),
    }
}

/// One page of a conversation's messages (oldest first, as they are kept), as Chatwoot's
/// `MessageFinder` cuts it (konversio-org/konversio 88ffa329eb6e18ae06b608d8b4bab96c0e1b8f44,
/// `app/finders/message_finder.rb` L23-48): `after` alone, the first 100 with a greater id;
/// `before` alone, the last 20 with a smaller id; neither, the latest 20; both, the first 1,000
/// from `after` **inclusive** to `before` exclusive. Always oldest first. The Application API
/// passes no `filter_internal_messages`, so private notes and activity messages are listed.
pub(crate) fn message_page(all: Vec<Value>, after: Option<u64>, before: Option<u64>) -> Vec<Value> {
    let id = |m: &Value| m["id"].as_u64().unwrap_or(0);
    let last = |mut kept: Vec<Value>, n: usize| {
        let skip = kept.len().saturating_sub(n);
        kept.drain(..skip);
        kept
    };
    match (after, before) {
        (Some(a), Some(b)) => all.into_iter().filter(|m| id(m) >= a && id(m) < b).take(1000).collect(),
        (Some(a), None) => all.into_iter().filter(|m| id(m) > a).take(100).collect(),
        (None, Some(b)) => last(all.into_iter().filter(|m| id(m) < b).collect(), 20),
        (None, None) => last(all, 20),
    }
}

async fn inboxes_create(State(desk): Desk_, Path(account): Path<u64>, headers: HeaderMap, body: Bytes) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    let Some(name) = text_of(&body, "name") else {
        return unprocessable("Name can't be blank");
    };
    let mut state = desk.state();
    let inbox = Inbox {
        id: state.inboxes.iter().map(|i| i.id).max().unwrap_or(0) + 1,
        name,
        identifier: uuid::Uuid::new_v4().simple().to_string(),
        webhook_url: body
            .pointer("/channel/webhook_url")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };
    state.inboxes.push(inbox.clone());
    answer(StatusCode::OK, &desk.inbox_json(&inbox))
}

async fn inbox_show(State(desk): Desk_, Path((account, id)): Path<(u64, u64)>, headers: HeaderMap) -> Response {
    guard!(desk, headers, account);
    match desk.state().inboxes.iter().find(|i| i.id == id) {
        Some(inbox) => answer(StatusCode::OK, &desk.inbox_json(inbox)),
        None => not_found(),
    }
}

async fn inbox_update(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    let mut state = desk.state();
    let Some(inbox) = state.inboxes.iter_mut().find(|i| i.id == id) else {
        return not_found();
    };
    if let Some(name) = text_of(&body, "name") {
        inbox.name = name;
    }
    if let Some(url) = body.pointer("/channel/webhook_url").and_then(Value::as_str) {
        inbox.webhook_url = Some(url.to_owned());
    }
    let inbox = inbox.clone();
    answer(StatusCode::OK, &desk.inbox_json(&inbox))
}

// ---- Client API ----------------------------------------------------------------------------

fn public_contact(c: &Contact, source: &str) -> Value {
    json!({"id": c.id, "source_id": source, "pubsub_token": format!("pubsub-{}", c.id), "name": c.name, "email": c.email, "phone_number": c.phone})
}

impl ChatlakeDesk {
    fn by_source(&self, inbox: &str, source: &str) -> Result<(Inbox, Contact), Response> {
        let inbox = self.inbox_by_identifier(inbox).ok_or_else(not_found)?;
        let state = self.state();
        let contact = state
            .contacts
            .iter()
            .find(|c| c.sessions.iter().any(|(i, s)| *i == inbox.id && s == source))
            .cloned()
            .ok_or_else(not_found)?;
        Ok((inbox, contact))
    }

    fn public_conversation(&self, conv: &Conversation) -> Value {
        let state = self.state();
        let contact = state.contacts.iter().find(|c| c.id == conv.contact_id);
        json!({"id": conv.id, "inbox_id": conv.inbox_id, "status": conv.status,
               "contact_last_seen_at": conv.contact_last_seen_at.unwrap_or(0), "agent_last_seen_at": 0,
               "messages": conv.messages.iter().map(|m| self.message_json(conv, m)).collect::<Vec<_>>(),
               "contact": contact.map(|c| json!({"id": c.id, "name": c.name, "email": c.email}))})
    }

    fn public_conversation_of(&self, inbox: &str, source: &str, id: u64) -> Result<Conversation, Response> {
        let (inbox, _) = self.by_source(inbox, source)?;
        let state = self.state();
        state
            .conversations
            .get(&id)
            .filter(|c| c.inbox_id == inbox.id && c.source_id == source)
            .cloned()
            .ok_or_else(not_found)
    }
}

async fn public_contact_create(State(desk): Desk_, Path(inbox): Path<String>, body: Bytes) -> Response {
    let Some(inbox) = desk.inbox_by_identifier(&inbox) else {
        return not_found();
    };
    let body = json_body(&body);
    let identifier = text_of(&body, "identifier");
    if !desk.identity_ok(identifier.as_deref(), text_of(&body, "identifier_hash").as_deref()) {
        return bare_500();
    }
    let mut state = desk.state();
    let existing = identifier.as_ref().and_then(|i| {
        state
            .contacts
            .iter()
            .find(|c| c.identifier.as_ref() == Some(i))
            .map(|c| c.id)
    });
    let id = match existing {
        Some(id) => id,
        None => desk.new_contact(&mut state, &body).id,
    };
    let source = desk.find_or_session(&mut state, inbox.id, id, None);
    let contact = state.contacts.iter().find(|c| c.id == id).cloned().unwrap_or_default();
    answer(StatusCode::OK, &public_contact(&contact, &source))
}

async fn public_contact_show(
    State(desk): Desk_,
    Path((inbox, source)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    match desk.by_source(&inbox, &source) {
        Ok((_, contact)) => {
            // `params[:identifier].to_s`: the request's, never the stored one.
            if !desk.identity_ok(
                q.get("identifier").map(String::as_str),
                q.get("identifier_hash").map(String::as_str),
            ) {
                return bare_500();
            }
            answer(StatusCode::OK, &public_contact(&contact, &source))
        }
        Err(response) => response,
    }
}

async fn public_contact_update(
    State(desk): Desk_,
    Path((inbox, source)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let (_, contact) = match desk.by_source(&inbox, &source) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let body = json_body(&body);
    if !desk.identity_ok(
        text_of(&body, "identifier").as_deref(),
        text_of(&body, "identifier_hash").as_deref(),
    ) {
        return bare_500();
    }
    let mut state = desk.state();
    let Some(c) = state.contacts.iter_mut().find(|c| c.id == contact.id) else {
        return not_found();
    };
    c.update_from(&body);
    let c = c.clone();
    answer(StatusCode::OK, &public_contact(&c, &source))
}

async fn public_conversations_create(State(desk): Desk_, Path((inbox, source)): Path<(String, String)>) -> Response {
    let (inbox, contact) = match desk.by_source(&inbox, &source) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let conversation = {
        let mut state = desk.state();
        desk.new_conversation(&mut state, inbox.id, contact.id, source)
    };
    desk.send_conversation_event(
        conversation.id,
        "conversation_created",
        None,
        "conversation created".into(),
    );
    answer(StatusCode::OK, &desk.public_conversation(&conversation))
}

async fn public_conversations_list(State(desk): Desk_, Path((inbox, source)): Path<(String, String)>) -> Response {
    let (inbox, _) = match desk.by_source(&inbox, &source) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let conversations: Vec<Conversation> = desk
        .state()
        .conversations
        .values()
        .filter(|c| c.inbox_id == inbox.id && c.source_id == source)
        .cloned()
        .collect();
    answer(
        StatusCode::OK,
        &Value::Array(conversations.iter().map(|c| desk.public_conversation(c)).collect()),
    )
}

async fn public_conversation_show(
    State(desk): Desk_,
    Path((inbox, source, id)): Path<(String, String, u64)>,
) -> Response {
    match desk.public_conversation_of(&inbox, &source, id) {
        Ok(conv) => answer(StatusCode::OK, &desk.public_conversation(&conv)),
        Err(response) => response,
    }
}

async fn public_toggle_status(State(desk): Desk_, Path((inbox, source, id)): Path<(String, String, u64)>) -> Response {
    if let Err(response) = desk.public_conversation_of(&inbox, &source, id) {
        return response;
    }
    desk.set_status(id, "resolved");
    let conv = desk.state().conversations.get(&id).cloned();
    match conv {
        Some(conv) => json_summarized(StatusCode::OK, &desk.public_conversation(&conv), Some("close".into())),
        None => not_found(),
    }
}

async fn public_toggle_typing(
    State(desk): Desk_,
    Path((inbox, source, id)): Path<(String, String, u64)>,
    body: Bytes,
) -> Response {
    if let Err(response) = desk.public_conversation_of(&inbox, &source, id) {
        return response;
    }
    let status = text_of(&json_body(&body), "typing_status").unwrap_or_default();
    if status != "on" && status != "off" {
        return unprocessable("typing_status must be on or off");
    }
    json_summarized(StatusCode::OK, &json!({}), Some(format!("typing: {status}")))
}

async fn public_update_last_seen(
    State(desk): Desk_,
    Path((inbox, source, id)): Path<(String, String, u64)>,
) -> Response {
    if let Err(response) = desk.public_conversation_of(&inbox, &source, id) {
        return response;
    }
    let last_agent = {
        let mut state = desk.state();
        let Some(conv) = state.conversations.get_mut(&id) else {
            return not_found();
        };
        conv.contact_last_seen_at = Some(now());
        conv.messages.iter().rev().find(|m| m.message_type == 1).map(|m| m.id)
    };
    let summary = last_agent.map_or_else(|| "read: nothing".to_owned(), |m| format!("read: {m}"));
    json_summarized(StatusCode::OK, &json!({}), Some(summary))
}

async fn public_messages_create(
    State(desk): Desk_,
    Path((inbox, source, id)): Path<(String, String, u64)>,
    request: Request,
) -> Response {
    if let Err(response) = desk.public_conversation_of(&inbox, &source, id) {
        return response;
    }
    let mut new = match read_new_message(request).await {
        Ok(new) => new,
        Err(response) => return response,
    };
    // The Client API writes as the contact, whatever the body says.
    new.message_type = Some("incoming".into());
    let sender = desk.contact_sender(id);
    desk.create_message(id, new, sender)
}

async fn public_messages_list(State(desk): Desk_, Path((inbox, source, id)): Path<(String, String, u64)>) -> Response {
    if let Err(response) = desk.public_conversation_of(&inbox, &source, id) {
        return response;
    }
    answer(
        StatusCode::OK,
        &Value::Array(desk.messages_json(id).unwrap_or_default()),
    )
}

async fn public_message_update(
    State(desk): Desk_,
    Path((inbox, source, id, message)): Path<(String, String, u64, u64)>,
) -> Response {
    if let Err(response) = desk.public_conversation_of(&inbox, &source, id) {
        return response;
    }
    let state = desk.state();
    let found = state.conversations.get(&id).and_then(|c| {
        c.messages
            .iter()
            .find(|m| m.id == message)
            .map(|m| desk.message_json(c, m))
    });
    match found {
        Some(view) => answer(StatusCode::OK, &view),
        None => not_found(),
    }
}

async fn public_inbox(State(desk): Desk_, Path(inbox): Path<String>) -> Response {
    match desk.inbox_by_identifier(&inbox) {
        Some(inbox) => answer(
            StatusCode::OK,
            &json!({"identifier": inbox.identifier, "name": inbox.name, "timezone": "UTC",
                                                        "identity_validation_enabled": desk.hmac_mandatory}),
        ),
        None => not_found(),
    }
}

#[async_trait]
impl Desk for ChatlakeDesk {
    fn router(self: Arc<Self>) -> Router {
        let _ = self.me.set(Arc::downgrade(&self));
        let api = "/api/v1/accounts/{account}";
        let public = "/public/api/v1/inboxes/{inbox}";
        let conv = format!("{public}/contacts/{{source}}/conversations/{{id}}");
        Router::new()
            .route(&format!("{api}/contacts"), post(contacts_create).get(contacts_list))
            .route(&format!("{api}/contacts/search"), get(contacts_list))
            .route(
                &format!("{api}/contacts/{{id}}"),
                get(contact_show).put(contact_update).patch(contact_update),
            )
            .route(
                &format!("{api}/contacts/{{id}}/contact_inboxes"),
                post(contact_inboxes_create),
            )
            .route(
                &format!("{api}/contacts/{{id}}/conversations"),
                get(contact_conversations),
            )
            .route(
                &format!("{api}/conversations"),
                post(conversations_create).get(conversations_list),
            )
            .route(&format!("{api}/conversations/{{id}}"), get(conversation_show))
            .route(
                &format!("{api}/conversations/{{id}}/toggle_status"),
                post(toggle_status),
            )
            .route(
                &format!("{api}/conversations/{{id}}/messages"),
                post(messages_create).get(messages_list),
            )
            .route(
                &format!("{api}/conversations/{{conversation}}/messages/{{id}}"),
                patch(message_update).delete(message_delete),
            )
            .route(
                &format!("{api}/conversations/{{id}}/toggle_priority"),
                post(toggle_priority),
            )
            .route(
                &format!("{api}/conversations/{{id}}/toggle_typing_status"),
                post(toggle_typing_status),
            )
            .route(&format!("{api}/conversations/{{id}}/assignments"), post(assignments))
            .route(
                &format!("{api}/conversations/{{id}}/labels"),
                post(labels_set).get(labels_get),
            )
            .route(
                &format!("{api}/conversations/{{id}}/custom_attributes"),
                post(custom_attributes_set),
            )
            .route(&format!("{api}/inboxes"), post(inboxes_create).get(inboxes_list))
            .route(&format!("{api}/inboxes/{{id}}"), get(inbox_show).patch(inbox_update))
            .route(public, get(public_inbox))
            .route(&format!("{public}/contacts"), post(public_contact_create))
            .route(
                &format!("{public}/contacts/{{source}}"),
                get(public_contact_show).patch(public_contact_update),
            )
            .route(
                &format!("{public}/contacts/{{source}}/conversations"),
                post(public_conversations_create).get(public_conversations_list),
            )
            .route(&conv, get(public_conversation_show))
            .route(&format!("{conv}/toggle_status"), post(public_toggle_status))
            .route(&format!("{conv}/toggle_typing"), post(public_toggle_typing))
            .route(&format!("{conv}/update_last_seen"), post(public_update_last_seen))
            .route(
                &format!("{conv}/messages"),
                post(public_messages_create).get(public_messages_list),
            )
            .route(
                &format!("{conv}/messages/{{message}}"),
                axum::routing::patch(public_message_update),
            )
            .with_state(self)
    }

    fn credentials(&self) -> Map<String, Value> {
        let state = self.state();
        let inbox = state.inboxes.first();
        let mut map = Map::new();
        map.insert("api_access_token".into(), json!(self.token.expose()));
        map.insert("account_id".into(), json!(self.account));
        map.insert("inbox_id".into(), json!(inbox.map(|i| i.id)));
        map.insert("inbox_identifier".into(), json!(inbox.map(|i| i.identifier.clone())));
        map.insert("webhook_secret".into(), json!(self.webhook_secret.expose()));
        map.insert("hmac_token".into(), json!(self.hmac_token.expose()));
        if self.hmac_mandatory {
            map.insert("hmac_mandatory".into(), json!(true));
        }
        map
    }

    fn refusal(&self, fault: Fault, retry_after: u64) -> Response {
        match fault {
            // rack-attack's throttled response.
            Fault::RateLimited | Fault::RateLimitedBare => {
                super::refusal(fault, retry_after, "text/plain", "Retry later\n")
            }
            _ => super::refusal(
                fault,
                retry_after,
                "application/json",
                r#"{"status":500,"error":"Internal Server Error"}"#,
            ),
        }
    }

    async fn agent_message(&self, conversation: &str, text: &str) -> Result<(), SimError> {
        let id: u64 = conversation
            .parse()
            .map_err(|_| SimError::UnknownConversation(conversation.to_owned()))?;
        let message = Message {
            id: 0,
            content: text.to_owned(),
            message_type: 1,
            private: false,
            created_at: now(),
            source_id: None,
            attachments: Vec::new(),
            sender: agent_sender(),
            external_error: None,
            deleted: false,
            echo_id: None,
        };
        self.add_message(id, message)
            .map_err(|refused| match refused.status() {
                StatusCode::NOT_FOUND => SimError::UnknownConversation(conversation.to_owned()),
                status => SimError::Refused(format!("{status}: the desk refused the message (Too many messages)")),
            })?;
        // The agent's editor stops typing once the message is sent (an invented script step,
        // with Chatwoot's payload: `webhook_listener.rb#handle_typing_status`); an inbox without
        // a webhook gets nothing, as the message itself.
        let _ = self.typing(id, false);
        Ok(())
    }

    async fn agent_typing(&self, conversation: &str) -> Result<bool, SimError> {
        let id: u64 = conversation
            .parse()
            .map_err(|_| SimError::UnknownConversation(conversation.to_owned()))?;
        self.typing(id, true)?;
        Ok(true)
    }

    async fn resolve(&self, conversation: &str) -> Result<bool, SimError> {
        let id: u64 = conversation
            .parse()
            .map_err(|_| SimError::UnknownConversation(conversation.to_owned()))?;
        self.set_status(id, "resolved")
            .ok_or_else(|| SimError::UnknownConversation(conversation.to_owned()))?;
        Ok(true)
    }

    fn conversations(&self) -> Vec<Value> {
        let state = self.state();
        state
            .conversations
            .values()
            .map(|c| {
                json!({"id": c.id.to_string(), "status": c.status, "source_id": c.source_id,
                       "messages": c.messages.iter().map(|m| json!({"id": m.id, "from": if m.message_type == 0 { "customer" } else { "agent" }, "text": m.content, "private": m.private})).collect::<Vec<_>>()})
            })
            .collect()
    }
}

// ---- conversation actions (konversio-org/konversio 88ffa329, app/controllers/api/v1/accounts/
// conversations_controller.rb and conversations/*_controller.rb) --------------------------------

/// Changes one conversation with `change` (which answers what changed, as `changed_attributes`
/// entries, none when nothing did) and fires `conversation_updated` when something did; `None`
/// when the conversation does not exist.
fn change_conversation(
    desk: &ChatlakeDesk,
    id: u64,
    change: impl FnOnce(&mut Conversation) -> Vec<Value>,
) -> Option<()> {
    let changed = {
        let mut state = desk.state();
        let conv = state.conversations.get_mut(&id)?;
        let changed = change(conv);
        if !changed.is_empty() {
            conv.updated_at = now();
        }
        changed
    };
    if !changed.is_empty() {
        desk.send_conversation_event(id, "conversation_updated", Some(json!(changed)), "updated".into());
    }
    Some(())
}

fn was(key: &str, previous: Value, current: Value) -> Vec<Value> {
    if previous == current {
        Vec::new()
    } else {
        vec![json!({ key: {"previous_value": previous, "current_value": current} })]
    }
}

/// `toggle_priority` (L104-107): `low|medium|high|urgent`, blank for none; `head :ok`. Any other
/// value raises in the enum assignment, unrescued: a bare 500.
async fn toggle_priority(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let priority = text_of(&json_body(&body), "priority").filter(|p| !p.is_empty());
    if priority
        .as_deref()
        .is_some_and(|p| !["low", "medium", "high", "urgent"].contains(&p))
    {
        return answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"status": 500, "error": "Internal Server Error"}),
        );
    }
    match change_conversation(&desk, id, |c| {
        let previous = std::mem::replace(&mut c.priority, priority.clone());
        was("priority", json!(previous), json!(priority))
    }) {
        Some(()) => StatusCode::OK.into_response(),
        None => not_found(),
    }
}

/// `toggle_typing_status` (L109-113, `typing_status_manager.rb` L12-24): `on` / `off` fire the
/// typing events as the token's owner; anything else nothing; always `head :ok`.
async fn toggle_typing_status(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    if !desk.state().conversations.contains_key(&id) {
        return not_found();
    }
    match text_of(&json_body(&body), "typing_status").as_deref() {
        Some("on") => {
            let _ = desk.typing(id, true);
        }
        Some("off") => {
            let _ = desk.typing(id, false);
        }
        _ => {}
    }
    StatusCode::OK.into_response()
}

/// `assignments_controller.rb` L3-44: `assignee_id` sets the agent (an unknown or null id
/// unassigns; the answer is the agent, or `null`); else `team_id` (no teams here: `null`).
async fn assignments(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    // Some(agent or None) when `assignee_id` is given; the desk's one agent has id 1.
    let assignee = body.get("assignee_id").map(|value| {
        value
            .as_u64()
            .or_else(|| value.as_str()?.parse().ok())
            .filter(|a| *a == 1)
    });
    let found = change_conversation(&desk, id, |c| match assignee {
        Some(assignee) => {
            let previous = std::mem::replace(&mut c.assignee, assignee);
            was("assignee_id", json!(previous), json!(assignee))
        }
        None => Vec::new(),
    });
    match (found, assignee) {
        (None, _) => not_found(),
        (Some(()), Some(Some(_))) => answer(StatusCode::OK, &agent_json(desk.account)),
        (Some(()), _) => answer(StatusCode::OK, &Value::Null),
    }
}

/// `labels_controller.rb` + `label_concern.rb`: POST replaces the list; both answer `{payload}`.
async fn labels_set(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let labels: Vec<String> = json_body(&body)
        .get("labels")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    match change_conversation(&desk, id, |c| {
        let previous = std::mem::replace(&mut c.labels, labels.clone());
        was("label_list", json!(previous), json!(labels))
    }) {
        Some(()) => answer(StatusCode::OK, &json!({ "payload": labels })),
        None => not_found(),
    }
}

async fn labels_get(State(desk): Desk_, Path((account, id)): Path<(u64, u64)>, headers: HeaderMap) -> Response {
    guard!(desk, headers, account);
    match desk.state().conversations.get(&id) {
        Some(c) => answer(StatusCode::OK, &json!({ "payload": c.labels })),
        None => not_found(),
    }
}

/// `custom_attributes` (L136-139): a full replace (a missing param clears them);
/// `{custom_attributes}`.
async fn custom_attributes_set(
    State(desk): Desk_,
    Path((account, id)): Path<(u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let attributes = json_body(&body)
        .get("custom_attributes")
        .cloned()
        .unwrap_or(Value::Null);
    match change_conversation(&desk, id, |c| {
        let previous = std::mem::replace(&mut c.custom_attributes, attributes.clone());
        was("custom_attributes", previous, attributes.clone())
    }) {
        Some(()) => answer(StatusCode::OK, &json!({ "custom_attributes": attributes })),
        None => not_found(),
    }
}

/// `messages_controller.rb` L16-26, 59-79 and `status_update_service.rb`: PATCH takes `status`
/// (`sent|delivered|read|failed`; read never goes back to delivered; anything else changes
/// nothing) and `external_error` (kept only with `failed`), and answers the message.
async fn message_update(
    State(desk): Desk_,
    Path((account, conversation, id)): Path<(u64, u64, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    guard!(desk, headers, account);
    let body = json_body(&body);
    let status = text_of(&body, "status");
    let error = text_of(&body, "external_error");
    let mut state = desk.state();
    let Some(conv) = state.conversations.get_mut(&conversation) else {
        return not_found();
    };
    let Some(m) = conv.messages.iter_mut().find(|m| m.id == id) else {
        return not_found();
    };
    match status.as_deref() {
        Some("failed") => m.external_error = Some(error.unwrap_or_default()),
        Some("sent" | "delivered" | "read") => m.external_error = None,
        _ => {}
    }
    let m = m.clone();
    let conv = conv.clone();
    answer(StatusCode::OK, &desk.message_json(&conv, &m))
}

/// DELETE: a soft delete — "This message was deleted", `content_attributes: {deleted: true}`,
/// attachments gone — answering the message.
async fn message_delete(
    State(desk): Desk_,
    Path((account, conversation, id)): Path<(u64, u64, u64)>,
    headers: HeaderMap,
) -> Response {
    guard!(desk, headers, account);
    let mut state = desk.state();
    let Some(conv) = state.conversations.get_mut(&conversation) else {
        return not_found();
    };
    let Some(m) = conv.messages.iter_mut().find(|m| m.id == id) else {
        return not_found();
    };
    m.content = "This message was deleted".into();
    m.attachments.clear();
    m.deleted = true;
    let m = m.clone();
    let conv = conv.clone();
    answer(StatusCode::OK, &desk.message_json(&conv, &m))
}

/// `inboxes_controller.rb` index: `{payload: [inbox, ...]}`, by name.
async fn inboxes_list(State(desk): Desk_, Path(account): Path<u64>, headers: HeaderMap) -> Response {
    guard!(desk, headers, account);
    let state = desk.state();
    let mut inboxes: Vec<&Inbox> = state.inboxes.iter().collect();
    inboxes.sort_by(|a, b| a.name.cmp(&b.name));
    let payload: Vec<Value> = inboxes.into_iter().map(|i| desk.inbox_json(i)).collect();
    answer(StatusCode::OK, &json!({ "payload": payload }))
}

#[cfg(test)]
mod paging_tests {
    use super::*;

    fn ids(page: Vec<Value>) -> Vec<u64> {
        page.iter().map(|m| m["id"].as_u64().unwrap()).collect()
    }

    #[test]
    fn message_pages_are_cut_as_message_finder_cuts_them() {
        let all = || (1..=1500u64).map(|id| json!({ "id": id })).collect::<Vec<_>>();
        assert_eq!(ids(message_page(all(), Some(10), None)), (11..=110).collect::<Vec<_>>());
        assert_eq!(ids(message_page(all(), None, Some(50))), (30..=49).collect::<Vec<_>>());
        assert_eq!(ids(message_page(all(), None, None)), (1481..=1500).collect::<Vec<_>>());
        assert_eq!(
            ids(message_page(all(), Some(10), Some(20))),
            (10..20).collect::<Vec<_>>(),
            "after is inclusive when before is given"
        );
        assert_eq!(ids(message_page(all(), Some(1), Some(1500))).len(), 1000);
        assert_eq!(ids(message_page(all(), None, Some(5))), vec![1, 2, 3, 4]);
        assert!(message_page(all(), Some(1500), None).is_empty());
    }
}
