//! The watcher's guarantees. A scripted conversation (responses added, messages from both
//! sides, system messages added and removed, accepted, rerouted, closed) is observed through
//! random interleavings — snapshots skipped (304s), repeated (a non-strict `lastChecked`), and
//! restarts from a serialized cursor — and every change is reported exactly once, in order.
//! Then the async watcher runs against wiremock with 304s between snapshots.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use deskwire_directly::inbound::{Author, QuestionCursor, QuestionEvent, QuestionWatcher, WatchCursor};
use deskwire_directly::wire::{Question, QuestionStatus, Uuid};
use proptest::prelude::*;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::*;

/// A conversation evolving one step at a time.
#[derive(Clone, Default)]
struct Script {
    next_id: u64,
    question_messages: Vec<Value>,
    responses: Vec<(String, Vec<Value>, bool)>,
    rerouted: bool,
    closed: bool,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    AddResponse,
    ExpertMessage(usize),
    UserMessage(usize),
    SystemMessage(usize),
    RemoveSystemMessage(usize),
    Accept(usize),
    Reroute,
    Close,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::AddResponse),
        3 => any::<usize>().prop_map(Step::ExpertMessage),
        2 => any::<usize>().prop_map(Step::UserMessage),
        2 => any::<usize>().prop_map(Step::SystemMessage),
        3 => any::<usize>().prop_map(Step::RemoveSystemMessage),
        1 => any::<usize>().prop_map(Step::Accept),
        1 => Just(Step::Reroute),
        1 => Just(Step::Close),
    ]
}

impl Script {
    fn new() -> Self {
        let mut s = Self::default();
        let m = s.message("NOTIFYING_EXPERTS_SYSTEM_MESSAGE", "System", None);
        s.question_messages.push(m);
        s
    }

    fn message(&mut self, kind: &str, who: &str, poster: Option<bool>) -> Value {
        self.next_id += 1;
        let mut author = json!({"name": who});
        if let Some(p) = poster {
            author["isOriginalPoster"] = json!(p);
            author["isExpert"] = json!(!p);
        }
        json!({"id": self.next_id, "uuid": format!("00000000-0000-4000-8000-{:012}", self.next_id),
               "type": kind, "author": author, "body": format!("message {}", self.next_id)})
    }

    fn apply(&mut self, step: Step) {
        let n = self.responses.len();
        match step {
            Step::AddResponse => {
                let uuid = format!("11111111-0000-4000-8000-{:012}", n);
                let first = self.message("MESSAGE", "Expert", Some(false));
                self.responses.push((uuid, vec![first], false));
            }
            Step::ExpertMessage(i) if n > 0 => {
                let m = self.message("MESSAGE", "Expert", Some(false));
                self.responses[i % n].1.push(m);
            }
            Step::UserMessage(i) if n > 0 => {
                let m = self.message("MESSAGE", "Ana", Some(true));
                self.responses[i % n].1.push(m);
            }
            Step::UserMessage(_) => {
                let m = self.message("MESSAGE", "Ana", Some(true));
                self.question_messages.push(m);
            }
            Step::SystemMessage(i) if n > 0 => {
                let m = self.message("RATE_RESPONSE_SYSTEM_MESSAGE", "System", None);
                self.responses[i % n].1.push(m);
            }
            Step::RemoveSystemMessage(i) => {
                let mut places: Vec<&mut Vec<Value>> = vec![&mut self.question_messages];
                places.extend(self.responses.iter_mut().map(|r| &mut r.1));
                let mut all: Vec<(usize, usize)> = Vec::new();
                for (p, list) in places.iter().enumerate() {
                    for (j, m) in list.iter().enumerate() {
                        if m["type"] != "MESSAGE" {
                            all.push((p, j));
                        }
                    }
                }
                if !all.is_empty() {
                    let (p, j) = all[i % all.len()];
                    places[p].remove(j);
                }
            }
            Step::Accept(i) if n > 0 => self.responses[i % n].2 = true,
            Step::Reroute => self.rerouted = true,
            Step::Close => self.closed = true,
            _ => {}
        }
    }

    fn snapshot(&self, at: u64) -> Value {
        let responses: Vec<Value> = self
            .responses
            .iter()
            .map(|(uuid, messages, accepted)| json!({"uuid": uuid, "type": "EXPERT", "isAccepted": accepted, "messages": messages}))
            .collect();
        json!({
            "uuid": QUESTION,
            "lastUpdated": time(at),
            "conversation": {"messages": self.question_messages, "responses": responses},
            "state": {
                "status": if self.closed { "RESOLVED" } else { "UNRESOLVED" },
                "isClosed": self.closed,
                "rerouteStatus": if self.rerouted { json!({"isRerouted": true, "type": "BY_POSTER"}) } else { json!({"isRerouted": false}) }
            }
        })
    }
}

fn time(n: u64) -> String {
    format!("2020-01-01T{:02}:{:02}:00Z", 10 + n / 60, n % 60)
}

/// The snapshots S0..Sn of a script.
fn snapshots(steps: &[Step]) -> Vec<Question> {
    let mut script = Script::new();
    let mut out = vec![serde_json::from_value(script.snapshot(0)).unwrap()];
    for (i, step) in steps.iter().enumerate() {
        script.apply(*step);
        out.push(serde_json::from_value(script.snapshot(i as u64 + 1)).unwrap());
    }
    out
}

fn message_uuids(q: &Question) -> Vec<(String, bool)> {
    let mut all: Vec<(String, bool)> = q
        .question_messages()
        .iter()
        .map(|m| (m.uuid.as_ref().unwrap().to_string(), m.is_system()))
        .collect();
    for r in q.responses() {
        all.extend(
            r.messages()
                .iter()
                .map(|m| (m.uuid.as_ref().unwrap().to_string(), m.is_system())),
        );
    }
    all
}

/// Checks the events of one observed run against what the observed snapshots imply.
fn check(observed: &[&Question], events: &[QuestionEvent]) -> Result<(), TestCaseError> {
    let last = observed.last().unwrap();
    let mut ever: BTreeMap<String, bool> = BTreeMap::new();
    for q in observed {
        ever.extend(message_uuids(q));
    }
    let now: BTreeSet<String> = message_uuids(last).into_iter().map(|(u, _)| u).collect();
    let mut added: Vec<String> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut responses: Vec<String> = Vec::new();
    let mut accepted: Vec<String> = Vec::new();
    let (mut rerouted, mut closed) = (0, 0);
    let mut statuses: Vec<QuestionStatus> = Vec::new();
    for event in events {
        match event {
            QuestionEvent::MessageAdded {
                message,
                author,
                response,
                ..
            } => {
                let uuid = message.uuid.as_ref().unwrap().to_string();
                if let Some(r) = response {
                    prop_assert!(responses.contains(&r.to_string()), "a message before its response");
                }
                let expected = if message.is_system() {
                    Author::System
                } else if message.author.as_ref().unwrap().is_poster() {
                    Author::User
                } else {
                    Author::Expert
                };
                prop_assert_eq!(*author, expected);
                added.push(uuid);
            }
            QuestionEvent::SystemMessageRemoved { key, .. } => {
                let uuid = key.strip_prefix("uuid:").unwrap().to_owned();
                prop_assert!(added.contains(&uuid), "removed before added");
                removed.push(uuid);
            }
            QuestionEvent::ResponseAdded { response, .. } => {
                prop_assert!(response.messages.is_none());
                responses.push(response.uuid.to_string());
            }
            QuestionEvent::ResponseAccepted { response, .. } => {
                prop_assert!(responses.contains(&response.to_string()));
                accepted.push(response.to_string());
            }
            QuestionEvent::Rerouted { .. } => rerouted += 1,
            QuestionEvent::Closed { .. } => closed += 1,
            QuestionEvent::StatusChanged { from, to, .. } => {
                prop_assert_eq!(from.as_ref(), statuses.last());
                statuses.push(to.clone());
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    // Every message ever observed, exactly once.
    prop_assert_eq!(sorted(added), ever.keys().cloned().collect::<Vec<_>>());
    // Every observed system message that is gone now, exactly once; nothing else.
    let gone: Vec<String> = ever
        .iter()
        .filter(|(u, system)| **system && !now.contains(*u))
        .map(|(u, _)| u.clone())
        .collect();
    prop_assert_eq!(sorted(removed), gone);
    prop_assert_eq!(
        sorted(responses),
        sorted(last.responses().iter().map(|r| r.uuid.to_string()).collect())
    );
    prop_assert_eq!(
        sorted(accepted),
        sorted(
            last.responses()
                .iter()
                .filter(|r| r.accepted())
                .map(|r| r.uuid.to_string())
                .collect()
        )
    );
    prop_assert_eq!(rerouted, usize::from(last.reroute().is_some()));
    prop_assert_eq!(closed, usize::from(last.is_closed()));
    // The statuses of the observed snapshots, consecutive repeats removed.
    let mut expected_statuses: Vec<QuestionStatus> = observed.iter().filter_map(|q| q.status().cloned()).collect();
    expected_statuses.dedup();
    prop_assert_eq!(statuses, expected_statuses);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_change_is_reported_once_whatever_the_interleaving(
        steps in prop::collection::vec(step(), 0..14),
        plan in prop::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 15),
    ) {
        let all = snapshots(&steps);
        let mut cursor = QuestionCursor::new(Uuid::parse(QUESTION).unwrap());
        let mut events = Vec::new();
        let mut observed: Vec<&Question> = Vec::new();
        for (i, snapshot) in all.iter().enumerate() {
            let (seen, twice, restart) = plan[i];
            let last = i + 1 == all.len();
            if !(seen || last) {
                continue; // this snapshot was never fetched: the poll answered 304 before and after
            }
            observed.push(snapshot);
            events.extend(cursor.observe(snapshot, None));
            if twice {
                // The same snapshot again (a non-strict lastChecked): nothing new.
                prop_assert!(cursor.observe(snapshot, None).is_empty());
            }
            if restart {
                let saved = serde_json::to_string(&WatchCursor { questions: vec![cursor.clone()] }).unwrap();
                let restored: WatchCursor = serde_json::from_str(&saved).unwrap();
                prop_assert_eq!(&restored.questions[0], &cursor);
                cursor = restored.questions.into_iter().next().unwrap();
            }
            prop_assert_eq!(cursor.last_checked().unwrap(), snapshot.last_updated.as_ref().unwrap());
        }
        check(&observed, &events)?;
    }
}

#[test]
fn a_removed_system_message_and_a_partial_snapshot() {
    let mut script = Script::new();
    let s0: Question = serde_json::from_value(script.snapshot(0)).unwrap();
    script.apply(Step::AddResponse);
    script.apply(Step::RemoveSystemMessage(0));
    let s1: Question = serde_json::from_value(script.snapshot(1)).unwrap();
    let mut cursor = QuestionCursor::baseline(&s0);
    let events = cursor.observe(&s1, None);
    let kinds: Vec<String> = events
        .iter()
        .map(|e| format!("{e:?}").split([' ', '{']).next().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["ResponseAdded", "MessageAdded", "SystemMessageRemoved"]);
    // A snapshot without `conversation` is not "every message removed".
    let mut bare = s1.clone();
    bare.conversation = None;
    assert!(cursor.observe(&bare, None).is_empty());
}

#[tokio::test]
async fn the_watcher_polls_with_the_servers_time_and_reports_once() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["token-1"], None).await;
    let mut script = Script::new();
    let s0 = script.snapshot(0);
    script.apply(Step::AddResponse);
    script.apply(Step::RemoveSystemMessage(0));
    let s1 = script.snapshot(5);
    let route = format!("/v1/questions/{QUESTION}");
    // Round 1: no lastChecked yet -> the whole question.
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(s0)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // Round 2: 304. Round 3: the expert answered and the notifying message is gone. Round 4:
    // the same snapshot again (non-strict comparison). Round 5: 304.
    let answers = [
        ResponseTemplate::new(304),
        ResponseTemplate::new(200).set_body_json(envelope(s1.clone())),
        ResponseTemplate::new(200).set_body_json(envelope(s1)),
        ResponseTemplate::new(304),
    ];
    let checked = [time(0), time(0), time(5), time(5)];
    for (answer, last_checked) in answers.into_iter().zip(checked) {
        Mock::given(method("GET"))
            .and(path(route.as_str()))
            .and(query_param("lastChecked", last_checked.as_str()))
            .respond_with(answer)
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let mut watcher = QuestionWatcher::new(client.clone(), Duration::from_millis(5));
    watcher.watch(Uuid::parse(QUESTION).unwrap());
    let mut names = Vec::new();
    let mut saved = String::new();
    for round in 0..5 {
        if round == 3 {
            // Restart from the saved cursor.
            let cursor: WatchCursor = serde_json::from_str(&saved).unwrap();
            watcher = QuestionWatcher::resume(client.clone(), Duration::from_millis(5), cursor);
        }
        let report = watcher.next().await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        names.push(
            report
                .events
                .iter()
                .map(|e| format!("{e:?}").split([' ', '{']).next().unwrap().to_owned())
                .collect::<Vec<_>>()
                .join(","),
        );
        saved = serde_json::to_string(&watcher.cursor()).unwrap();
    }
    assert_eq!(
        names,
        [
            "MessageAdded,StatusChanged",
            "",
            "ResponseAdded,MessageAdded,SystemMessageRemoved",
            "",
            ""
        ]
    );
    let polls = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == route)
        .count();
    assert_eq!(polls, 5);
}

#[tokio::test]
async fn a_failed_poll_loses_nothing() {
    let server = MockServer::start().await;
    mount_tokens(&server, &["token-1"], None).await;
    let s0 = Script::new().snapshot(0);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(s0)))
        .mount(&server)
        .await;
    let mut watcher = QuestionWatcher::new(client(&server), Duration::from_millis(1));
    watcher.watch(Uuid::parse(QUESTION).unwrap());
    let first = watcher.poll_once().await;
    assert_eq!((first.events.len(), first.errors.len()), (0, 1));
    let second = watcher.poll_once().await;
    assert_eq!((second.events.len(), second.errors.len()), (2, 0));
}
