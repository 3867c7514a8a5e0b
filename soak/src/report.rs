//! What a run shows: the table printed at the end, `report.json`, `report.md` and `report.svg`
//! (throughput, handoff latency p50/p99 and each replica's memory over time, kills marked).

use std::fmt::Write as _;

use serde::Serialize;

use crate::judge::Verdict;

/// One provider's run.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// The desk.
    pub provider: String,
    /// The settings.
    pub conversations: usize,
    /// Messages per conversation.
    pub messages: usize,
    /// Replicas.
    pub replicas: usize,
    /// Seconds from the first customer to the end of the settle.
    pub seconds: f64,
    /// Replica kills.
    pub kills: Vec<Kill>,
    /// The judge.
    pub verdict: Verdict,
    /// Handoff latency outside kill windows, ms: p50, p99, max.
    pub latency_calm: Percentiles,
    /// Inside kill windows (a kill, plus the lease and a poll after it).
    pub latency_kills: Percentiles,
    /// Customer messages with no answer within the timeout.
    pub unanswered: usize,
    /// Sends tried again because nothing had reached the desk.
    pub resent: usize,
    /// Sends whose fate was unknown, not sent again.
    pub unknown: usize,
    /// Requests the desk received per conversation.
    pub desk_requests_per_conversation: f64,
    /// The routes the desk received most, with their counts.
    pub desk_routes: Vec<(String, usize)>,
    /// Redis commands per delivered answer.
    pub redis_commands_per_answer: f64,
    /// Answers each replica put in the outbox (the load balancer's spread, kills included).
    pub answers_by_replica: std::collections::BTreeMap<String, usize>,
    /// Peak resident memory per replica, KiB.
    pub peak_rss_kib: Vec<u64>,
    /// Resident memory per replica once every conversation was open, KiB (the slope's input).
    pub end_rss_kib: Vec<u64>,
    /// The series plotted.
    pub series: Series,
}

/// A replica killed at a time.
#[derive(Debug, Clone, Serialize)]
pub struct Kill {
    /// Seconds since the start.
    pub at: f64,
    /// Which.
    pub replica: String,
}

/// p50, p99 and max of a set of milliseconds, and how many.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Percentiles {
    /// Samples.
    pub n: usize,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Percentiles {
    /// Of `values` (any order).
    pub fn of(values: &mut [f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() as f64 * q).ceil() as usize).clamp(1, values.len()) - 1];
        Self {
            n: values.len(),
            p50: at(0.50),
            p99: at(0.99),
            max: values[values.len() - 1],
        }
    }
}

/// Per-second series.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Series {
    /// Answers delivered in each second.
    pub throughput: Vec<f64>,
    /// Latency p50 of the answers read in each second, ms.
    pub p50: Vec<f64>,
    /// Latency p99, ms.
    pub p99: Vec<f64>,
    /// Resident memory of each replica, MiB, one row per replica.
    pub rss_mib: Vec<Vec<f64>>,
}

/// The terminal and Markdown table of `runs`.
pub fn table(runs: &[Run]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| desk | conversations | replicas | kills | answers | lost | duplicated | out of order | customer dups | held | unanswered | p50 ms | p99 ms (calm) | p99 ms (kills) | desk req/conv | redis cmd/answer | peak RSS MiB |"
    );
    let _ = writeln!(out, "|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|-|");
    for r in runs {
        let v = &r.verdict;
        let peak = r.peak_rss_kib.iter().copied().max().unwrap_or_default() as f64 / 1024.0;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {}/{} | {} | {} | {} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.2} | {:.1} | {:.1} |",
            r.provider,
            r.conversations,
            r.replicas,
            r.kills.len(),
            v.answers_delivered,
            v.answers_at_desk,
            v.lost,
            v.duplicated,
            v.out_of_order,
            v.customer_duplicates,
            v.held_claims,
            r.unanswered,
            r.latency_calm.p50,
            r.latency_calm.p99,
            r.latency_kills.p99,
            r.desk_requests_per_conversation,
            r.redis_commands_per_answer,
            peak
        );
    }
    out
}

/// `report.md`: the machine, the `table`, what went wrong.
pub fn markdown(runs: &[Run], machine: &str, table: &str) -> String {
    let mut out = format!("# deskwire soak\n\n{machine}\n\n");
    out.push_str(table);
    for r in runs {
        if !r.verdict.examples.is_empty() {
            let _ = writeln!(out, "\n## {}: what went wrong\n", r.provider);
            for e in &r.verdict.examples {
                let _ = writeln!(out, "- {e}");
            }
        }
    }
    out.push_str("\n![throughput, latency and memory over time](report.svg)\n");
    out
}

/// A panel of the plot: its title, and each line's colour and points.
type Panel<'a> = (&'a str, Vec<(&'a str, &'a [f64])>);

/// The plot: one column per run, three panels each (answers/s; latency p50 and p99; each
/// replica's memory), kills as red lines.
pub fn svg(runs: &[Run]) -> String {
    let (w, h, pad) = (520.0, 150.0, 36.0);
    let width = w * runs.len().max(1) as f64;
    let height = 3.0 * h + 40.0;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    out.push_str(r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (i, r) in runs.iter().enumerate() {
        let x0 = i as f64 * w;
        let _ = write!(
            out,
            r#"<text x="{}" y="14" font-weight="bold">{}</text>"#,
            x0 + pad,
            r.provider
        );
        let len = r.series.throughput.len().max(1) as f64;
        let panels: [Panel<'_>; 3] = [
            ("answers / s", vec![("#1f77b4", &r.series.throughput[..])]),
            (
                "latency ms (p50, p99)",
                vec![("#2ca02c", &r.series.p50[..]), ("#d62728", &r.series.p99[..])],
            ),
            (
                "RSS MiB per replica",
                r.series.rss_mib.iter().map(|row| ("#9467bd", &row[..])).collect(),
            ),
        ];
        for (p, (title, lines)) in panels.iter().enumerate() {
            let y0 = 20.0 + p as f64 * h;
            let top = lines
                .iter()
                .flat_map(|(_, l)| l.iter().copied())
                .fold(1.0_f64, f64::max)
                * 1.1;
            let (left, right, low, high) = (x0 + pad, x0 + w - 10.0, y0 + h - 18.0, y0 + 14.0);
            let _ = write!(
                out,
                r##"<text x="{left}" y="{}">{title} (max {top:.0})</text><line x1="{left}" y1="{low}" x2="{right}" y2="{low}" stroke="#888"/><line x1="{left}" y1="{low}" x2="{left}" y2="{high}" stroke="#888"/>"##,
                y0 + 10.0
            );
            for kill in &r.kills {
                let x = left + (kill.at / len) * (right - left);
                let _ = write!(
                    out,
                    r##"<line x1="{x:.1}" y1="{low}" x2="{x:.1}" y2="{high}" stroke="#d62728" stroke-dasharray="3,2"/>"##
                );
            }
            for (color, line) in lines {
                let points: Vec<String> = line
                    .iter()
                    .enumerate()
                    .map(|(t, v)| {
                        let x = left + (t as f64 / len) * (right - left);
                        let y = low - (v / top) * (low - high);
                        format!("{x:.1},{y:.1}")
                    })
                    .collect();
                let _ = write!(
                    out,
                    r#"<polyline fill="none" stroke="{color}" stroke-width="1.2" points="{}"/>"#,
                    points.join(" ")
                );
            }
        }
        let _ = write!(
            out,
            r#"<text x="{}" y="{}">seconds → ({:.0} s; red: replica killed)</text>"#,
            x0 + pad,
            3.0 * h + 32.0,
            len
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = Percentiles::of(&mut v);
        assert_eq!((p.n, p.p50, p.p99, p.max), (100, 50.0, 99.0, 100.0));
        assert_eq!(Percentiles::of(&mut []).n, 0);
        assert_eq!(Percentiles::of(&mut [7.0]).p99, 7.0);
    }
}
