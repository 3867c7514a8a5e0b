//! One module per resource. Each function checks its input and describes the call as an
//! [`ApiRequest`](crate::ApiRequest) (nothing is sent when a check fails); the matching
//! [`DirectlyClient`](crate::DirectlyClient) method sends it and decodes the answer.
//!
//! | # | call | client method |
//! |---|---|---|
//! | 1 | `POST /questions` → 201 | [`create_question`](crate::DirectlyClient::create_question) |
//! | 2 | `GET /questions/{uuid}?lastChecked=` → 200 / 304 | [`get_question`](crate::DirectlyClient::get_question), [`get_question_if_changed`](crate::DirectlyClient::get_question_if_changed), [`poll_question`](crate::DirectlyClient::poll_question) |
//! | 3 | `GET /questions` (dotted `externalId.*` keys) | [`search_questions`](crate::DirectlyClient::search_questions) |
//! | 4 | `PUT /questions/{uuid}` | [`update_question`](crate::DirectlyClient::update_question) |
//! | 5 | `POST /questions/{uuid}/close` | [`close_question`](crate::DirectlyClient::close_question) |
//! | 6 | `POST /questions/{uuid}/reroute` | [`reroute_question`](crate::DirectlyClient::reroute_question) |
//! | 7 | `POST /questions/{uuid}/expire` (method inferred) | [`expire_question`](crate::DirectlyClient::expire_question) |
//! | 8 | `POST /messages` → 201 | [`create_message`](crate::DirectlyClient::create_message) |
//! | 9 | `PUT /messages/{uuid}` | [`update_message`](crate::DirectlyClient::update_message) |
//! | 10 | `GET /messages` | [`search_messages`](crate::DirectlyClient::search_messages) |
//! | 11 | `POST /messages/{uuid}/markAsResolved` | [`mark_as_resolved`](crate::DirectlyClient::mark_as_resolved) |
//! | 12 | `POST /responses/{uuid}/accept` | [`accept_response`](crate::DirectlyClient::accept_response) |
//! | 13 | `POST /responses/{uuid}/rate` | [`rate_response`](crate::DirectlyClient::rate_response) |
//! | 14 | `POST /responses/{uuid}/confirmAutoResponse` | [`confirm_auto_response`](crate::DirectlyClient::confirm_auto_response) |
//! | 15 | `POST /responses/{uuid}/markAsRead` | [`mark_response_read`](crate::DirectlyClient::mark_response_read) |
//! | 16 | `POST /users/forget` | [`forget_user`](crate::DirectlyClient::forget_user) |
//! | 17 | `POST /automaticAnswers` | [`automatic_answer`](crate::DirectlyClient::automatic_answer) |
//! | 18 | `POST /automaticAnswers/{uuid}/feedback` | [`automatic_answer_feedback`](crate::DirectlyClient::automatic_answer_feedback) |
//! | 19 | `GET /classifications` (query inferred) | [`classify`](crate::DirectlyClient::classify) |
//! | 20 | `POST /predictiveRouting` (body inferred) | [`predictive_routing`](crate::DirectlyClient::predictive_routing) |
//! | — | `GET {base}/health/status` (no token) | [`health`](crate::DirectlyClient::health) |
//! | 23 | `oauth/logout` | [`logout`](crate::DirectlyClient::logout) |
//!
//! Not modelled: the deprecated `POST /content` (replaced by automatic answers) and the
//! CX-training upload, whose path is not public; use [`DirectlyClient::send`](crate::DirectlyClient::send).

pub mod automation;
pub mod messages;
pub mod questions;
pub mod responses;
pub mod users;

pub(crate) use deskwire_core::check::non_empty;
