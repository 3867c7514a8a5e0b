//! `deskwire-soak` (`cargo xtask soak`): a day of production in minutes, judged.
//!
//! For each desk it runs a deployment on this machine — the simulated desk with its scripted
//! agent and faults on, spreading its deliveries over the replicas as a load balancer would;
//! several replicas of the handoff service in production mode (separate processes, one Redis:
//! the de-duplication store and a Redis Stream outbox); customers opening conversations over a
//! ramp and waiting for each answer in the outbox — kills a replica with SIGKILL at intervals
//! and restarts it, then judges: every agent answer the desk recorded reached the outbox
//! exactly once and in desk order, no customer message was created twice, nothing was left
//! claimed. It prints progress and a table, and writes `report.{json,md,svg}` to `--out`.
//!
//! ```text
//! cargo xtask soak --provider all --conversations 300 --replicas 2 --kill-every-secs 20
//! ```
//!
//! Exit status: 0 when every run passed the judge, 1 otherwise.

mod balancer;
mod driver;
mod judge;
mod procs;
mod report;
mod route;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use serde_json::{json, Value};

use driver::{Latency, Plan, Shared};
use procs::{Desk, Redis, Replica};
use report::{Kill, Percentiles, Run, Series};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "deskwire-soak",
    about = "Replicas, faults, kills, thousands of conversations; judged."
)]
struct Args {
    /// The desk: chatlake, engage-digital, directly, rake-direct (or several, comma-separated),
    /// all, or none (only the route measurement).
    #[arg(long, default_value = "chatlake")]
    provider: String,
    /// Conversations, opened over the ramp.
    #[arg(long, default_value_t = 300)]
    conversations: usize,
    /// Customer messages per conversation (the first opens it); the agent answers each.
    #[arg(long, default_value_t = 2)]
    messages: usize,
    /// Replicas of the service.
    #[arg(long, default_value_t = 2)]
    replicas: usize,
    /// Seconds over which conversations are opened (default: 50 a second).
    #[arg(long)]
    ramp_secs: Option<f64>,
    /// Kill a replica (SIGKILL) every this many seconds and restart it; 0: never.
    #[arg(long, default_value_t = 30)]
    kill_every_secs: u64,
    /// The desk's faults (deskwire-sim's `--faults`).
    #[arg(
        long,
        default_value = "dup=0.05,drop=0.05,delay=0.05,reorder=0.05,delay-ms=300,429=0.02,5xx=0.02,close=0.01"
    )]
    faults: String,
    /// How long the scripted agent takes to answer.
    #[arg(long, default_value_t = 200)]
    agent_delay_ms: u64,
    /// The seed of the desk's faults and credentials.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The Redis to use (default: `DESKWIRE_REDIS_URL`, else a `redis-server` started here).
    #[arg(long)]
    redis: Option<String>,
    /// Where `deskwire-sim` and `handoff` are.
    #[arg(long, default_value = "target/debug")]
    bin_dir: PathBuf,
    /// Where the report goes.
    #[arg(long, default_value = "target/soak")]
    out: PathBuf,
    /// Conversations in flight at most.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// How long a customer waits for an answer before giving up.
    #[arg(long, default_value_t = 20)]
    answer_timeout_secs: u64,
    /// The replicas' lease: how long a killed replica's events stay held.
    #[arg(long, default_value_t = 3000)]
    lease_ms: u64,
    /// How often the replicas poll a polling desk (Directly; Chatlake's reconcile).
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
    /// Also measure the signed webhook route with the Redis store beside a bare axum route,
    /// this many seconds each (0: not measured).
    #[arg(long, default_value_t = 0)]
    route_secs: u64,
    /// Concurrent clients of that measurement.
    #[arg(long, default_value_t = 64)]
    route_clients: usize,
}

const PROVIDERS: [&str; 4] = ["chatlake", "engage-digital", "directly", "rake-direct"];

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let providers: Vec<String> = match args.provider.as_str() {
        "all" => PROVIDERS.iter().map(|p| p.to_string()).collect(),
        // Only the route measurement.
        "none" => Vec::new(),
        list if list.split(',').all(|p| PROVIDERS.contains(&p)) => list.split(',').map(str::to_owned).collect(),
        other => {
            eprintln!(
                "soak: unknown provider `{other}`; known: {}, all, none",
                PROVIDERS.join(", ")
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("soak: {}: {e}", args.out.display());
        std::process::exit(2);
    }
    let redis = match Redis::ensure(args.redis.clone()).await {
        Ok(redis) => redis,
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::exit(2);
        }
    };
    let mut runs = Vec::new();
    for provider in &providers {
        match run(provider, &args, &redis).await {
            Ok(run) => runs.push(run),
            Err(e) => {
                eprintln!("soak: {provider}: {e}");
                std::process::exit(2);
            }
        }
    }
    let machine = machine(&args.bin_dir);
    let route = match args.route_secs {
        0 => None,
        secs => match route::measure(&redis.url, secs, args.route_clients).await {
            Ok(route) => Some(route),
            Err(e) => {
                eprintln!("soak: the route measurement: {e}");
                None
            }
        },
    };
    let mut table = report::table(&runs);
    if let Some(r) = &route {
        table.push_str(&format!(
            "\nSigned webhook route with the Redis store: {:.0} req/s; bare axum route: {:.0} req/s; ratio {:.2} (goal ≥ 0.6; {} clients, {} s each)\n",
            r.signed, r.bare, r.ratio, r.clients, r.seconds
        ));
    }
    println!("\n{machine}\n\n{table}");
    for r in &runs {
        for e in &r.verdict.examples {
            println!("{}: {e}", r.provider);
        }
    }
    let written = [
        (
            "report.json",
            serde_json::to_string_pretty(&json!({"machine": machine, "runs": runs, "route": route}))
                .unwrap_or_default(),
        ),
        ("report.md", report::markdown(&runs, &machine, &table)),
        ("report.svg", report::svg(&runs)),
    ];
    for (name, text) in written {
        if let Err(e) = std::fs::write(args.out.join(name), text) {
            eprintln!("soak: {name}: {e}");
        }
    }
    println!("reports: {}", args.out.join("report.md").display());
    let passed = runs.iter().all(|r| r.verdict.passed());
    std::process::exit(if passed { 0 } else { 1 });
}

/// The machine and the build, in one line, for the report.
fn machine(bin: &std::path::Path) -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or(0, |kib| kib / 1024 / 1024);
    let build = if bin.ends_with("release") {
        "release build"
    } else {
        "debug build"
    };
    format!("Machine: {cpus} cores ({model}), {memory} GiB RAM; {build}; everything (desk, replicas, Redis, customers) on this machine.")
}

/// Redis commands served so far (`INFO commandstats`).
async fn redis_commands(connection: &mut redis::aio::ConnectionManager) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(connection)
        .await
        .unwrap_or_default();
    // The driver's own reading (XREAD) and the measurements (INFO, SCAN, GET of the end
    // check) are not the service's.
    info.lines()
        .filter(|l| {
            !["cmdstat_xread:", "cmdstat_info:", "cmdstat_scan:", "cmdstat_flushall:"]
                .iter()
                .any(|c| l.starts_with(c))
        })
        .filter_map(|l| l.split("calls=").nth(1))
        .filter_map(|rest| rest.split(',').next()?.parse::<u64>().ok())
        .sum()
}

/// Store keys still held by a claim (`deskwire:seen:*` whose value is an owner token).
async fn held_claims(connection: &mut redis::aio::ConnectionManager) -> usize {
    let mut cursor = 0u64;
    let mut held = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = match redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg("deskwire:seen:*")
            .arg("COUNT")
            .arg(1000)
            .query_async(connection)
            .await
        {
            Ok(page) => page,
            Err(_) => return held,
        };
        for key in keys {
            let value: Option<String> = redis::cmd("GET")
                .arg(&key)
                .query_async(connection)
                .await
                .unwrap_or(None);
            if value.is_some_and(|v| v != "+") {
                held += 1;
            }
        }
        if next == 0 {
            return held;
        }
        cursor = next;
    }
}

async fn run(provider: &str, args: &Args, redis: &Redis) -> Result<Run, String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(64)
        .build()
        .map_err(|e| e.to_string())?;
    let mut connection = procs::connect(&redis.url).await.map_err(|e| e.to_string())?;
    if redis.owned() {
        let _: redis::RedisResult<()> = redis::cmd("FLUSHALL").query_async(&mut connection).await;
    }
    let ports: Vec<u16> = (0..args.replicas)
        .map(|_| procs::free_port())
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    // The desk reaches the replicas through one balancer, as a deployment's desk does.
    let balancer = balancer::start(ports.iter().map(|p| format!("http://127.0.0.1:{p}")).collect())
        .await
        .map_err(|e| e.to_string())?;
    let hook = format!("{balancer}/webhook");
    let stream = format!("deskwire:outbox:{provider}");
    // This run's outbox starts empty (the stream is the soak's own key).
    let _: redis::RedisResult<()> = redis::cmd("DEL").arg(&stream).query_async(&mut connection).await;
    let sim_args: Vec<String> = [
        provider,
        "--seed",
        &args.seed.to_string(),
        "--faults",
        &args.faults,
        "--agent-delay-ms",
        &args.agent_delay_ms.to_string(),
        "--webhook-url",
        &hook,
        "--endpoint-url",
        &hook,
        "--poll-ms",
        "500",
        // Thousands of conversations share one simulated desk: no cap on messages per
        // conversation is met here (200 a minute each), so none is raised.
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let desk = Desk::start(&args.bin_dir, &sim_args, &args.out).await?;
    let mut replicas: Vec<Replica> = ports
        .iter()
        .enumerate()
        .map(|(i, port)| {
            let name = format!("r{i}");
            let command = vec![
                "--sim".to_owned(),
                format!("@{}", desk.file.display()),
                "--listen".to_owned(),
                format!("127.0.0.1:{port}"),
                "--redis".to_owned(),
                redis.url.clone(),
                "--replica".to_owned(),
                name.clone(),
                "--lease-ms".to_owned(),
                args.lease_ms.to_string(),
                "--poll-ms".to_owned(),
                args.poll_ms.to_string(),
                "--public-url".to_owned(),
                hook.clone(),
            ];
            Replica::new(&args.bin_dir, name, *port, command)
        })
        .collect();
    for replica in &mut replicas {
        replica.start(&http).await?;
    }
    let urls: Arc<Vec<String>> = Arc::new(replicas.iter().map(Replica::url).collect());
    let replicas = Arc::new(tokio::sync::Mutex::new(replicas));
    let commands_before = redis_commands(&mut connection).await;

    let shared = Arc::new(Shared::new());
    let stop = Arc::new(AtomicBool::new(false));
    let reader = tokio::spawn(driver::read_stream(
        redis.url.clone(),
        stream,
        Arc::clone(&shared),
        Arc::clone(&stop),
    ));

    // Memory, once a second; kills at intervals.
    let rss: Arc<std::sync::Mutex<Vec<Vec<f64>>>> = Arc::new(std::sync::Mutex::new(vec![Vec::new(); args.replicas]));
    let sampler = {
        let (replicas, rss, stop) = (Arc::clone(&replicas), Arc::clone(&rss), Arc::clone(&stop));
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                {
                    let replicas = replicas.lock().await;
                    let mut rss = rss.lock().unwrap_or_else(|p| p.into_inner());
                    for (i, r) in replicas.iter().enumerate() {
                        rss[i].push(r.rss_kib().unwrap_or(0) as f64 / 1024.0);
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    let kills: Arc<std::sync::Mutex<Vec<Kill>>> = Arc::default();
    let drive_done = Arc::new(AtomicBool::new(false));
    let chaos = {
        let (replicas, kills, shared, done, http) = (
            Arc::clone(&replicas),
            Arc::clone(&kills),
            Arc::clone(&shared),
            Arc::clone(&drive_done),
            http.clone(),
        );
        let every = args.kill_every_secs;
        tokio::spawn(async move {
            if every == 0 {
                return;
            }
            let mut next = 0;
            loop {
                tokio::time::sleep(Duration::from_secs(every)).await;
                if done.load(Ordering::Relaxed) {
                    return;
                }
                let mut replicas = replicas.lock().await;
                let victim = next % replicas.len();
                next += 1;
                let at = shared.now();
                replicas[victim].kill().await;
                kills.lock().unwrap_or_else(|p| p.into_inner()).push(Kill {
                    at,
                    replica: replicas[victim].name.clone(),
                });
                println!("[{at:6.1}s] killed {} (SIGKILL); restarting", replicas[victim].name);
                tokio::time::sleep(Duration::from_millis(500)).await;
                if let Err(e) = replicas[victim].start(&http).await {
                    eprintln!("soak: {e}");
                }
            }
        })
    };

    // The customers, over the ramp.
    let plan = Plan {
        messages: args.messages,
        agent_delay: Duration::from_millis(args.agent_delay_ms),
        answer_timeout: Duration::from_secs(args.answer_timeout_secs),
    };
    let ramp = args.ramp_secs.unwrap_or(args.conversations as f64 / 50.0);
    let slots = Arc::new(tokio::sync::Semaphore::new(args.concurrency.max(1)));
    let mut customers = Vec::with_capacity(args.conversations);
    let progress = {
        let (shared, kills, stop) = (Arc::clone(&shared), Arc::clone(&kills), Arc::clone(&stop));
        let total = args.conversations;
        let provider = provider.to_owned();
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(2)).await;
                let mut ms: Vec<f64> = shared
                    .latencies
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .map(|l| l.ms)
                    .collect();
                let p = Percentiles::of(&mut ms);
                println!(
                    "[{:6.1}s] {provider}: conversations {}/{total}, answers {}, p99 {:.0} ms, kills {}",
                    shared.now(),
                    shared.done.load(Ordering::Relaxed),
                    shared.answered(),
                    p.p99,
                    kills.lock().unwrap_or_else(|p| p.into_inner()).len()
                );
            }
        })
    };
    for k in 0..args.conversations {
        let at = Duration::from_secs_f64(ramp * k as f64 / args.conversations.max(1) as f64);
        let wait = at.saturating_sub(shared.started.elapsed());
        tokio::time::sleep(wait).await;
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            break;
        };
        let (urls, http, plan, shared) = (Arc::clone(&urls), http.clone(), plan.clone(), Arc::clone(&shared));
        customers.push(tokio::spawn(async move {
            driver::customer(k, urls, http, plan, shared).await;
            drop(slot);
        }));
    }
    for c in customers {
        let _ = c.await;
    }
    drive_done.store(true, Ordering::Relaxed);
    let _ = chaos.await;
    let end_rss: Vec<u64> = replicas.lock().await.iter().map(|r| r.rss_kib().unwrap_or(0)).collect();

    // Settle: what the desk still holds back (a lease to end, a poll to come) arrives.
    let quiet = Duration::from_millis(args.lease_ms + 2 * args.poll_ms + 1500);
    let mut last = (shared.answered(), std::time::Instant::now());
    let settle_until = std::time::Instant::now() + Duration::from_secs(90);
    while std::time::Instant::now() < settle_until {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = shared.answered();
        if now != last.0 {
            last = (now, std::time::Instant::now());
        } else if last.1.elapsed() >= quiet {
            break;
        }
    }
    let seconds = shared.now();
    stop.store(true, Ordering::Relaxed);
    let _ = reader.await;
    let _ = sampler.await;
    let _ = progress.await;

    // The judge.
    let conversations: Vec<Value> = http
        .get(format!("{}/_sim/conversations", desk.base_url()))
        .header("x-sim-control-token", desk.control_token())
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let exchanges: Vec<Value> = http
        .get(format!("{}/_sim/exchanges", desk.base_url()))
        .header("x-sim-control-token", desk.control_token())
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let commands = redis_commands(&mut connection).await.saturating_sub(commands_before);
    let held = held_claims(&mut connection).await;
    let outbox = shared.outbox.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let verdict = judge::judge(&conversations, &outbox, held);
    for replica in replicas.lock().await.iter_mut() {
        replica.kill().await;
    }

    let kills = kills.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let window = (args.lease_ms + args.poll_ms) as f64 / 1000.0 + 1.5;
    let latencies = shared.latencies.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let in_kill = |l: &Latency| kills.iter().any(|k| l.at >= k.at && l.at <= k.at + window);
    let mut calm: Vec<f64> = latencies.iter().filter(|l| !in_kill(l)).map(|l| l.ms).collect();
    let mut during: Vec<f64> = latencies.iter().filter(|l| in_kill(l)).map(|l| l.ms).collect();
    let desk_requests = exchanges.iter().filter(|e| e["direction"] == "in").count();
    // Which requests the desk received, by route (ids folded), most first.
    let mut routes: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for e in exchanges.iter().filter(|e| e["direction"] == "in") {
        let path: String = e["path"]
            .as_str()
            .unwrap_or_default()
            .split('/')
            .map(|part| {
                if part.chars().any(|c| c.is_ascii_digit()) {
                    "{id}"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        *routes
            .entry(format!("{} {path}", e["method"].as_str().unwrap_or_default()))
            .or_default() += 1;
    }
    let mut desk_routes: Vec<(String, usize)> = routes.into_iter().collect();
    desk_routes.sort_by_key(|r| std::cmp::Reverse(r.1));
    desk_routes.truncate(8);
    let series = series_of(
        &outbox,
        &latencies,
        &rss.lock().unwrap_or_else(|p| p.into_inner()),
        seconds,
    );
    let peak_rss_kib = series
        .rss_mib
        .iter()
        .map(|row| (row.iter().copied().fold(0.0, f64::max) * 1024.0) as u64)
        .collect();
    Ok(Run {
        provider: provider.to_owned(),
        conversations: args.conversations,
        messages: args.messages,
        replicas: args.replicas,
        seconds,
        kills,
        latency_calm: Percentiles::of(&mut calm),
        latency_kills: Percentiles::of(&mut during),
        unanswered: shared.unanswered.load(Ordering::Relaxed),
        resent: shared.resent.load(Ordering::Relaxed),
        unknown: shared.unknown.load(Ordering::Relaxed),
        desk_requests_per_conversation: desk_requests as f64 / verdict.conversations.max(1) as f64,
        desk_routes,
        redis_commands_per_answer: commands as f64 / verdict.answers_delivered.max(1) as f64,
        answers_by_replica: outbox.iter().fold(Default::default(), |mut by, e| {
            *by.entry(e.replica.clone()).or_default() += 1;
            by
        }),
        peak_rss_kib,
        end_rss_kib: end_rss,
        verdict,
        series,
    })
}

/// Per-second series of a run.
fn series_of(outbox: &[driver::OutboxEntry], latencies: &[Latency], rss: &[Vec<f64>], seconds: f64) -> Series {
    let buckets = seconds.ceil().max(1.0) as usize;
    let mut throughput = vec![0.0; buckets];
    for e in outbox {
        if let Some(b) = throughput.get_mut(e.at as usize) {
            *b += 1.0;
        }
    }
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); buckets];
    for l in latencies {
        if let Some(b) = per.get_mut(l.at as usize) {
            b.push(l.ms);
        }
    }
    let (mut p50, mut p99) = (Vec::with_capacity(buckets), Vec::with_capacity(buckets));
    for mut b in per {
        let p = Percentiles::of(&mut b);
        p50.push(p.p50);
        p99.push(p.p99);
    }
    Series {
        throughput,
        p50,
        p99,
        rss_mib: rss.to_vec(),
    }
}
