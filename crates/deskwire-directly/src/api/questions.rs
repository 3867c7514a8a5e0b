//! Questions: ask, read, poll (200 or 304), search, update, close, reroute, expire.

use http::Method;
use serde_json::json;

use crate::api::non_empty;
use crate::wire::{Ack, NewQuestion, Question, QuestionUpdate, Search, Timestamp, UserEmail, Uuid};
use crate::{ApiRequest, DirectlyClient, Error};

/// The outcome of a conditional read.
#[derive(Debug, Clone, PartialEq)]
pub enum Polled<T> {
    /// `304`: nothing changed since `lastChecked` (the answer has no body and none is read).
    NotModified,
    /// `200`: the current state.
    Changed(T),
}

/// A conditional read with the server's clock, for pollers.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionPoll {
    /// What came back.
    pub polled: Polled<Question>,
    /// The server's `Date` header, when readable.
    pub server_time: Option<Timestamp>,
}

/// `POST /questions`.
pub fn create(question: &NewQuestion) -> Result<ApiRequest, Error> {
    non_empty("userName", &question.user_name)?;
    non_empty("text", &question.text)?;
    Ok(ApiRequest::new("questions.create", Method::POST, &["questions"]).json(question)?)
}

/// `GET /questions/{uuid}`, with `lastChecked` when given (then a 304 is an answer).
pub fn get(uuid: &Uuid, last_checked: Option<&Timestamp>) -> ApiRequest {
    let request = ApiRequest::new("questions.get", Method::GET, &["questions", uuid.as_str()]);
    match last_checked {
        Some(at) => request
            .query([("lastChecked".to_owned(), at.as_str().to_owned())])
            .accept_not_modified(),
        None => request,
    }
}

/// `GET /questions` with the search's query.
pub fn search(search: &Search) -> ApiRequest {
    ApiRequest::new("questions.search", Method::GET, &["questions"]).query(search.pairs())
}

/// `PUT /questions/{uuid}`: at least one of text and metadata.
pub fn update(uuid: &Uuid, update: &QuestionUpdate) -> Result<ApiRequest, Error> {
    match (&update.text, &update.metadata) {
        (None, None) => {
            return Err(deskwire_core::ValidationError::new(
                "text",
                deskwire_core::ValidationProblem::Invalid("an update needs a new text or new metadata".into()),
            )
            .into())
        }
        (Some(text), _) => non_empty("text", text)?,
        _ => {}
    }
    let mut body = serde_json::to_value(update).map_err(|e| deskwire_core::EncodeError(e.to_string()))?;
    body["uuid"] = json!(uuid);
    Ok(
        ApiRequest::new("questions.update", Method::PUT, &["questions", uuid.as_str()])
            .json(&body)?
            .idempotent(),
    )
}

/// `POST /questions/{uuid}/close`. `integration_token` is the Universal Connector token
/// Directly's client sends, when you have one.
pub fn close(uuid: &Uuid, user: &UserEmail, integration_token: Option<&str>) -> Result<ApiRequest, Error> {
    let mut body = json!({"questionUuid": uuid, "userEmail": user});
    if let Some(token) = integration_token {
        body["integrationToken"] = json!(token);
    }
    Ok(
        ApiRequest::new("questions.close", Method::POST, &["questions", uuid.as_str(), "close"])
            .json(&body)?
            .idempotent(),
    )
}

/// `POST /questions/{uuid}/reroute` (usually to agents).
pub fn reroute(uuid: &Uuid, user: &UserEmail, company_tag: Option<&str>) -> Result<ApiRequest, Error> {
    let mut body = json!({"uuid": uuid, "userEmail": user});
    if let Some(tag) = company_tag {
        body["companyTag"] = json!(tag);
    }
    Ok(ApiRequest::new(
        "questions.reroute",
        Method::POST,
        &["questions", uuid.as_str(), "reroute"],
    )
    .json(&body)?)
}

/// `/questions/{uuid}/expire`: closes the question without rerouting. The changelog names the
/// path only; POST with the usual `{uuid, userEmail}` body is inferred.
pub fn expire(uuid: &Uuid, user: &UserEmail) -> Result<ApiRequest, Error> {
    Ok(ApiRequest::new(
        "questions.expire",
        Method::POST,
        &["questions", uuid.as_str(), "expire"],
    )
    .json(&json!({"uuid": uuid, "userEmail": user}))?
    .idempotent())
}

impl DirectlyClient {
    /// Asks a question on behalf of its user (201). Not repeated after a lost answer: Directly
    /// does not de-duplicate questions; search by your external id to check.
    pub async fn create_question(&self, question: &NewQuestion) -> Result<Question, Error> {
        self.conn.data(&create(question)?).await
    }

    /// The question as it is now.
    pub async fn get_question(&self, uuid: &Uuid) -> Result<Question, Error> {
        self.conn.data(&get(uuid, None)).await
    }

    /// The question if it changed after `last_checked`, else [`Polled::NotModified`] (304).
    /// Without `last_checked` it is always read.
    pub async fn get_question_if_changed(
        &self,
        uuid: &Uuid,
        last_checked: Option<&Timestamp>,
    ) -> Result<Polled<Question>, Error> {
        self.poll_question(uuid, last_checked).await.map(|p| p.polled)
    }

    /// [`Self::get_question_if_changed`] with the server's `Date`, for choosing the next
    /// `lastChecked` by the server's clock.
    pub async fn poll_question(&self, uuid: &Uuid, last_checked: Option<&Timestamp>) -> Result<QuestionPoll, Error> {
        let answer = self.conn.send(&get(uuid, last_checked)).await?;
        let server_time = answer.date.map(Timestamp::from_system_time);
        let polled = if answer.status == 304 {
            Polled::NotModified
        } else {
            Polled::Changed(crate::connection::decode_data(&answer)?)
        };
        Ok(QuestionPoll { polled, server_time })
    }

    /// Questions matching the search. The list is read from `data.questions`, `data`, or a
    /// top-level `questions` (where Directly's own client reads it).
    pub async fn search_questions(&self, query: &Search) -> Result<Vec<Question>, Error> {
        self.conn.list(&search(query), "questions").await
    }

    /// Changes the question's text or metadata.
    pub async fn update_question(&self, uuid: &Uuid, update: &QuestionUpdate) -> Result<Ack, Error> {
        self.conn.ack(&self::update(uuid, update)?).await
    }

    /// Closes the question.
    pub async fn close_question(
        &self,
        uuid: &Uuid,
        user: &UserEmail,
        integration_token: Option<&str>,
    ) -> Result<Ack, Error> {
        self.conn.ack(&close(uuid, user, integration_token)?).await
    }

    /// Reroutes the question (usually to agents).
    pub async fn reroute_question(
        &self,
        uuid: &Uuid,
        user: &UserEmail,
        company_tag: Option<&str>,
    ) -> Result<Ack, Error> {
        self.conn.ack(&reroute(uuid, user, company_tag)?).await
    }

    /// Expires the question: closed, and not rerouted.
    pub async fn expire_question(&self, uuid: &Uuid, user: &UserEmail) -> Result<Ack, Error> {
        self.conn.ack(&expire(uuid, user)?).await
    }
}
