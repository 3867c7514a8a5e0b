//! The processes of a run: Redis (the one given, or a `redis-server` started here), the
//! simulated desk, and the replicas of the handoff service — started, killed with SIGKILL,
//! restarted on the same port, measured (resident memory from `/proc`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A free loopback port (bound, then released for the process that takes it).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The Redis of a run.
pub struct Redis {
    /// Its URL.
    pub url: String,
    /// The server started here, stopped with the run.
    server: Option<Child>,
}

impl Redis {
    /// `given` (or `DESKWIRE_REDIS_URL`), else a `redis-server` started on a free port with
    /// nothing persisted.
    pub async fn ensure(given: Option<String>) -> Result<Self, String> {
        if let Some(url) = given.or_else(|| std::env::var("DESKWIRE_REDIS_URL").ok()) {
            return Ok(Self { url, server: None });
        }
        let port = free_port().map_err(|e| e.to_string())?;
        let server = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                format!("no Redis given and `redis-server` could not start ({e}); install it or pass --redis")
            })?;
        let url = format!("redis://127.0.0.1:{port}/");
        for _ in 0..100 {
            if connect(&url).await.is_ok() {
                return Ok(Self {
                    url,
                    server: Some(server),
                });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("redis-server on port {port} did not answer"))
    }

    /// Whether the server was started here (so its data may be wiped).
    pub fn owned(&self) -> bool {
        self.server.is_some()
    }
}

/// A connection to `url`.
pub async fn connect(url: &str) -> redis::RedisResult<redis::aio::ConnectionManager> {
    redis::aio::ConnectionManager::new(redis::Client::open(url)?).await
}

/// The simulated desk, its announcement, and the stdout reader that keeps its pipe drained.
pub struct Desk {
    /// The first line it printed.
    pub announcement: Value,
    /// Where it is written, for the replicas' `--sim @file`.
    pub file: PathBuf,
    _child: Child,
}

impl Desk {
    /// Starts `bin/deskwire-sim` with `args`; its announcement is written to `out/sim.json`.
    pub async fn start(bin: &Path, args: &[String], out: &Path) -> Result<Self, String> {
        let mut child = Command::new(bin.join("deskwire-sim"))
            .args(args)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.join("deskwire-sim").display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next_line()
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the simulator printed nothing")?;
        let announcement: Value = serde_json::from_str(&first).map_err(|e| e.to_string())?;
        // One journal line per exchange follows: read them, or the pipe fills and the desk stops.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let file = out.join("sim.json");
        std::fs::write(&file, &first).map_err(|e| e.to_string())?;
        Ok(Self {
            announcement,
            file,
            _child: child,
        })
    }

    /// The desk's base URL.
    pub fn base_url(&self) -> String {
        self.announcement["base_url"].as_str().unwrap_or_default().to_owned()
    }

    /// The token of its control routes.
    pub fn control_token(&self) -> String {
        self.announcement["control_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// One replica of the handoff service.
pub struct Replica {
    /// Its name (`r0`, `r1`...).
    pub name: String,
    /// Its port.
    pub port: u16,
    command: Vec<String>,
    bin: PathBuf,
    child: Option<Child>,
}

impl Replica {
    /// A replica named `name` on `port`, run as `bin/handoff <args>`.
    pub fn new(bin: &Path, name: String, port: u16, args: Vec<String>) -> Self {
        Self {
            name,
            port,
            command: args,
            bin: bin.to_owned(),
            child: None,
        }
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts it and waits until `/health` answers.
    pub async fn start(&mut self, http: &reqwest::Client) -> Result<(), String> {
        let child = Command::new(self.bin.join("handoff"))
            .args(&self.command)
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("{}: {e}", self.bin.join("handoff").display()))?;
        self.child = Some(child);
        for _ in 0..400 {
            let healthy = http.get(format!("{}/health", self.url())).send().await;
            if healthy.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Err(format!("{} did not start", self.name))
    }

    /// SIGKILL: no shutdown, no flush — a crash or an abrupt deploy.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }

    /// Its resident memory in KiB, from `/proc/<pid>/status` (`None` when not running).
    pub fn rss_kib(&self) -> Option<u64> {
        let pid = self.child.as_ref()?.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}
