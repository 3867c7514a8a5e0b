//! What several test files of the simulator ask the same way.

use deskwire_sim::Sim;
use serde_json::Value;

/// The Directly desk's answer to a client-credentials token request with its own credentials.
pub async fn directly_token(http: &reqwest::Client, sim: &Sim) -> Value {
    http.post(format!("{}/oauth/token", sim.base_url()))
        .form(&[
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", sim.credential("client_id").unwrap()),
            ("client_secret", sim.credential("client_secret").unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
