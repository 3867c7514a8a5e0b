//! The API's enumerations, all open: a value this version does not know decodes into the
//! `Unknown` variant with its text and encodes back unchanged.

use deskwire_core::open_enum;

open_enum! {
    /// A message's `type`. The guide lists 13 system messages; Directly's own client knows 19
    /// values in all.
    pub enum MessageType {
        /// An ordinary message from the user or an expert.
        Message = "MESSAGE",
        /// Added to new questions; removed when an expert engages.
        NotifyingExperts = "NOTIFYING_EXPERTS_SYSTEM_MESSAGE",
        /// The user accepted the current response.
        AcceptedResponse = "ACCEPTED_RESPONSE_SYSTEM_MESSAGE",
        /// The question expired with no responses.
        QuestionExpired = "QUESTION_EXPIRED_SYSTEM_MESSAGE",
        /// The question was closed.
        QuestionClosed = "QUESTION_CLOSED_SYSTEM_MESSAGE",
        /// The question was rerouted (usually to agents).
        QuestionRerouted = "QUESTION_REROUTED_SYSTEM_MESSAGE",
        /// Rejected because of a keyword.
        QuestionRejectedByKeyword = "QUESTION_REJECTED_BY_KEYWORD_SYSTEM_MESSAGE",
        /// Rejected because of the user's domain.
        QuestionRejectedByDomain = "QUESTION_REJECTED_BY_DOMAIN_SYSTEM_MESSAGE",
        /// Prompts the user to rate a response.
        RateResponse = "RATE_RESPONSE_SYSTEM_MESSAGE",
        /// Prompts the user to reroute if they are not getting help.
        CustomerReroutePrompt = "CUSTOMER_REROUTE_PROMPT_SYSTEM_MESSAGE",
        /// Prompts the user to add a testimonial.
        AddTestimonial = "ADD_TESTIMONIAL_SYSTEM_MESSAGE",
        /// Added after a testimonial was written.
        AddedTestimonial = "ADDED_TESTIMONIAL_SYSTEM_MESSAGE",
        /// Prompts the user to accept the response.
        AcceptResponse = "ACCEPT_RESPONSE_SYSTEM_MESSAGE",
        /// An automated response.
        Autoresponse = "AUTORESPONSE_MESSAGE",
        /// The user accepted the automated response.
        AcceptedAutoresponse = "ACCEPTED_AUTORESPONSE_MESSAGE",
        /// The user rejected the automated response.
        RejectedAutoresponse = "REJECTED_AUTORESPONSE_MESSAGE",
        /// An expert marked the response resolved; the user must approve or contest it
        /// ([`DirectlyClient::mark_as_resolved`](crate::DirectlyClient::mark_as_resolved)).
        MarkAsResolved = "MARK_AS_RESOLVED_MESSAGE",
        /// The user approved the mark-as-resolved prompt.
        ApprovedMarkAsResolved = "APPROVED_MARK_AS_RESOLVED_MESSAGE",
        /// The user contested the mark-as-resolved prompt.
        ContestedMarkAsResolved = "CONTESTED_MARK_AS_RESOLVED_MESSAGE",
    }
    /// A type this version does not know.
    Unknown
}

impl MessageType {
    /// Whether Directly inserted this message to signal an event or prompt an action (the guide's
    /// "System Messages", the two rejections, and unknown `*_SYSTEM_MESSAGE` types). System
    /// messages may disappear again when no longer relevant.
    pub fn is_system(&self) -> bool {
        match self {
            Self::Message | Self::Autoresponse | Self::AcceptedAutoresponse | Self::RejectedAutoresponse => false,
            Self::Unknown(text) => text.ends_with("SYSTEM_MESSAGE"),
            _ => true,
        }
    }
}

open_enum! {
    /// `state.status` of a question.
    pub enum QuestionStatus {
        /// Open: the user may still send messages.
        Unresolved = "UNRESOLVED",
        /// Resolved.
        Resolved = "RESOLVED",
        /// Expired.
        Expired = "EXPIRED",
        /// Marked inappropriate.
        Inappropriate = "INAPPROPRIATE",
        /// Withdrawn.
        Withdraw = "WITHDRAW",
        /// Flagged.
        Flagged = "FLAGGED",
        /// Closed by an escalation.
        ClosedByEscalation = "CLOSED_BY_ESCALATION",
        /// Closed by the company.
        ClosedByCompany = "CLOSED_BY_COMPANY",
    }
    /// A status this version does not know.
    Unknown
}

open_enum! {
    /// Why a question was rerouted (`state.rerouteStatus.type`).
    pub enum RerouteType {
        /// The user asked for it.
        ByPoster = "BY_POSTER",
        /// An expert did.
        ByExpert = "BY_EXPERT",
        /// Nobody answered in time.
        ByInactivity = "BY_INACTIVITY",
        /// No expert speaks the language.
        ByUnsupportedLanguage = "BY_UNSUPPORTED_LANGUAGE",
        /// Not enough experts.
        ByLackOfExperts = "BY_LACK_OF_EXPERTS",
    }
    /// A reason this version does not know.
    Unknown
}

open_enum! {
    /// A response's `type`.
    pub enum ResponseType {
        /// Written by an expert.
        Expert = "EXPERT",
        /// An automated response.
        Autoresponse = "AUTORESPONSE",
    }
    /// A type this version does not know.
    Unknown
}

open_enum! {
    /// `quickReply` of an automated response or answer.
    pub enum QuickReply {
        /// Not answered yet.
        Pending = "PENDING",
        /// The user accepted it.
        Accepted = "ACCEPTED",
        /// The user rejected it.
        Rejected = "REJECTED",
        /// The user opened it.
        Opened = "OPENED",
    }
    /// A value this version does not know.
    Unknown
}

open_enum! {
    /// A question's `type`.
    pub enum QuestionType {
        /// Open to many experts.
        OneToMany = "ONE_TO_MANY",
        /// One expert.
        OneToOne = "ONE_TO_ONE",
    }
    /// A type this version does not know.
    Unknown
}

open_enum! {
    /// A user's `type`.
    pub enum UserType {
        /// A person.
        User = "USER",
        /// A bot.
        Chatbot = "CHATBOT",
    }
    /// A type this version does not know.
    Unknown
}

/// The user's verdict on an automated response or answer (`quickReply` in requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// `ACCEPTED`.
    Accepted,
    /// `REJECTED`.
    Rejected,
}

impl Verdict {
    /// The wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "ACCEPTED",
            Self::Rejected => "REJECTED",
        }
    }
}

impl serde::Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guide's list, in its order.
    const SEED_SYSTEM_MESSAGES: [&str; 13] = [
        "NOTIFYING_EXPERTS_SYSTEM_MESSAGE",
        "ACCEPTED_RESPONSE_SYSTEM_MESSAGE",
        "QUESTION_EXPIRED_SYSTEM_MESSAGE",
        "QUESTION_CLOSED_SYSTEM_MESSAGE",
        "QUESTION_REROUTED_SYSTEM_MESSAGE",
        "RATE_RESPONSE_SYSTEM_MESSAGE",
        "CUSTOMER_REROUTE_PROMPT_SYSTEM_MESSAGE",
        "ADD_TESTIMONIAL_SYSTEM_MESSAGE",
        "ADDED_TESTIMONIAL_SYSTEM_MESSAGE",
        "ACCEPT_RESPONSE_SYSTEM_MESSAGE",
        "MARK_AS_RESOLVED_MESSAGE",
        "APPROVED_MARK_AS_RESOLVED_MESSAGE",
        "CONTESTED_MARK_AS_RESOLVED_MESSAGE",
    ];

    #[test]
    fn the_seed_system_messages_are_known_and_system() {
        for text in SEED_SYSTEM_MESSAGES {
            let t = MessageType::from(text);
            assert!(t.is_known() && t.is_system(), "{text}");
            assert_eq!(t.as_str(), text);
        }
        for text in ["MESSAGE", "AUTORESPONSE_MESSAGE", "ACCEPTED_AUTORESPONSE_MESSAGE"] {
            assert!(!MessageType::from(text).is_system(), "{text}");
        }
        assert!(MessageType::from("QUESTION_REJECTED_BY_DOMAIN_SYSTEM_MESSAGE").is_system());
        assert!(MessageType::from("NEW_SYSTEM_MESSAGE").is_system());
        assert!(!MessageType::from("NEW_KIND").is_system());
        assert_eq!(
            serde_json::to_string(&MessageType::from("NEW_KIND")).unwrap(),
            "\"NEW_KIND\""
        );
    }
}
