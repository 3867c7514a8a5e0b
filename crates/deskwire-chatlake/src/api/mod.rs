//! The Application API operations, one module per resource. Each module has the request
//! functions (validate, then describe the call as an [`ApiRequest`](crate::ApiRequest); nothing
//! is sent) and the [`ChatlakeClient`](crate::ChatlakeClient) methods that send them.
//!
//! Paths are under `/api/v1/accounts/{account_id}`; conversation ids are `display_id`s.

pub mod contacts;
pub mod conversations;
pub mod inboxes;
pub mod messages;
