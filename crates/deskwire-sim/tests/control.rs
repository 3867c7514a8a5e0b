//! The control routes are guarded: the run's token, JSON bodies only; and a run without a seed
//! draws its credentials at random (both written to fail against the open routes and the
//! seed-0 default that came before).

use deskwire_sim::{control::TOKEN_HEADER, Provider, Sim};
use serde_json::{json, Value};

#[tokio::test]
async fn control_routes_need_the_runs_token_and_json() {
    let sim = Sim::builder(Provider::Chatlake).start().await.unwrap();
    let http = reqwest::Client::new();
    let url = |route: &str| format!("{}/_sim/{route}", sim.base_url());
    // Another process on this machine, or a web page posting plain text: refused, nothing done.
    let anonymous = http.get(url("exchanges")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong = http
        .get(url("exchanges"))
        .header(TOKEN_HEADER, "guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let form = http
        .put(url("faults"))
        .header(TOKEN_HEADER, sim.control_token())
        .header("content-type", "text/plain")
        .body("drop=1")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    assert_eq!(sim.faults().to_string(), "", "nothing was set");
    // The run's client.
    let set = http
        .put(url("faults"))
        .header(TOKEN_HEADER, sim.control_token())
        .json(&json!({"faults": "drop=0.5"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    assert_eq!(sim.faults().to_string(), "drop=0.5");
    let listed = http
        .get(url("exchanges"))
        .header(TOKEN_HEADER, sim.control_token())
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    assert!(listed.json::<Value>().await.unwrap().is_array());
    // The token is announced, and not shown by Debug.
    assert_eq!(sim.announcement()["control_token"], sim.control_token());
    assert!(!format!("{sim:?}").contains(sim.control_token()));
}

#[tokio::test]
async fn credentials_are_random_unless_a_seed_or_credential_is_given() {
    let token = |sim: &Sim| sim.credential("api_access_token").unwrap();
    let a = Sim::builder(Provider::Chatlake).start().await.unwrap();
    let b = Sim::builder(Provider::Chatlake).start().await.unwrap();
    assert_ne!(token(&a), token(&b), "two runs, two tokens");
    assert_ne!(a.control_token(), b.control_token());
    // A seed repeats a run; the seed drawn is announced so any run can be repeated.
    let again = Sim::builder(Provider::Chatlake).seed(a.seed()).start().await.unwrap();
    assert_eq!(token(&again), token(&a));
    assert_eq!(a.announcement()["seed"], a.seed());
    let given = Sim::builder(Provider::Chatlake)
        .credential("api_access_token", "from-the-docs")
        .start()
        .await
        .unwrap();
    assert_eq!(token(&given), "from-the-docs");
}
