//! The binary: its first line is the announcement, for every provider; then one line per
//! exchange; no secret is printed after the first line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

#[test]
fn every_provider_announces_itself_then_journals_exchanges() {
    for (provider, keys) in [
        ("engage-digital", &["source_id", "access_token"][..]),
        (
            "chatlake",
            &[
                "api_access_token",
                "account_id",
                "inbox_id",
                "inbox_identifier",
                "webhook_secret",
                "hmac_token",
            ][..],
        ),
        (
            "directly",
            &["client_id", "client_secret", "access_token", "token_lifetime_secs"][..],
        ),
        ("rake-direct", &["workspace_id", "secret", "return_webhook_header"][..]),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_deskwire-sim"))
            .args([provider, "--seed", "5", "--no-agent"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        assert_eq!(first["provider"], provider);
        let base = first["base_url"].as_str().unwrap().to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        for key in keys {
            assert!(!first["credentials"][key].is_null(), "{provider} announces {key}");
        }
        // Any request to the desk is one journal line, without headers or bodies.
        let status = std::process::Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-X",
                "POST",
                &format!("{base}/nowhere"),
                "-d",
                "{}",
            ])
            .status();
        if status.is_ok_and(|s| s.success()) {
            let line: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
            assert_eq!(line["path"], "/nowhere");
            assert_eq!(line["status"], 404);
            let printed = line.to_string();
            for key in keys {
                if let Some(secret) = first["credentials"][key].as_str().filter(|s| s.len() > 8) {
                    assert!(!printed.contains(secret), "{provider}: {key} printed");
                }
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn the_same_seed_gives_the_same_credentials_and_a_bad_argument_says_why() {
    let announce = |seed: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_deskwire-sim"))
            .args(["chatlake", "--seed", seed])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let line = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .next()
            .unwrap()
            .unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        serde_json::from_str::<Value>(&line).unwrap()["credentials"].clone()
    };
    assert_eq!(announce("9"), announce("9"));
    assert_ne!(announce("9"), announce("10"));
    let bad = Command::new(env!("CARGO_BIN_EXE_deskwire-sim"))
        .args(["chatlake", "--faults", "dupe=0.1"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown fault `dupe`"));
    let unknown = Command::new(env!("CARGO_BIN_EXE_deskwire-sim"))
        .arg("zendesk")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown provider `zendesk`"));
}
