//! Signing and verification benches. `cargo xtask bench` runs them and prints each ratio of
//! `deskwire_benches::RATIOS` beside its goal.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use deskwire_benches::{
    seed_message, webhook_body, DOCS_TOKEN, INFO_BODY, KEY, LARGE_BODY_BYTES, SEED_BODY, SHA256_FLOOR_MESSAGE,
    SHA512_3_BLOCK_MESSAGE, WEBHOOK_FLOOR_BLOCKS, WEBHOOK_TIMESTAMP,
};
use deskwire_chatlake::inbound::WebhookVerifier;
use deskwire_core::mac::HmacSha256;
use deskwire_core::mac::HmacSha512;
use deskwire_core::verify::Verify as _;
use deskwire_core::Secret;
use deskwire_engage_digital::inbound::{ActionError, Endpoint, ImplementationInfo, ObjectName, SdkOption, Source};
use deskwire_engage_digital::wire::Operation;
use deskwire_engage_digital::{SendApiClient, Signer};
use hmac::{Hmac, Mac};
use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha512};

fn key_secret() -> Secret {
    Secret::new(std::str::from_utf8(KEY).expect("ASCII key"))
}

fn sign(c: &mut Criterion) {
    let signer = Signer::new(&key_secret());
    let raw = HmacSha512::new(&key_secret());
    let ring_key = ring::hmac::Key::new(ring::hmac::HMAC_SHA512, KEY);
    let mut g = c.benchmark_group("sign");
    g.throughput(Throughput::Bytes(SEED_BODY.len() as u64));
    g.bench_function("engage-digital/seed-body", |b| {
        b.iter(|| signer.sign(black_box(SEED_BODY)))
    });
    g.bench_function("engage-digital/seed-body-raw", |b| {
        b.iter(|| raw.mac(black_box(SEED_BODY)))
    });
    g.bench_function("naive", |b| {
        b.iter(|| {
            let mut mac = <Hmac<Sha512> as Mac>::new_from_slice(black_box(KEY)).expect("any key length");
            mac.update(black_box(SEED_BODY));
            const_hex::encode(mac.finalize().into_bytes())
        })
    });
    g.bench_function("ring", |b| {
        b.iter(|| const_hex::encode(ring::hmac::sign(&ring_key, black_box(SEED_BODY)).as_ref()))
    });
    g.finish();
}

fn floor(c: &mut Criterion) {
    // Three SHA-512 compressions: the least work an HMAC of the seed body needs once the key's
    // inner and outer states are precomputed (two inner blocks, one outer block).
    let blocks = [GenericArray::clone_from_slice(&[0x5a; 128]); 3];
    let mut g = c.benchmark_group("floor");
    g.bench_function("sha512-3-blocks", |b| {
        b.iter(|| {
            let mut state = black_box(SHA512_IV);
            sha2::compress512(&mut state, black_box(&blocks));
            state
        })
    });
    #[cfg(target_arch = "x86_64")]
    {
        let blocks = [[0x5a_u8; 128]; 3];
        g.bench_function("sha512-3-blocks-asm", |b| {
            b.iter(|| {
                let mut state = black_box(SHA512_IV);
                sha2_asm::compress512(&mut state, black_box(&blocks));
                state
            })
        });
    }
    // ring hashes whole messages: one that pads to exactly three blocks (its init and padding
    // are counted, which only flatters the others).
    let message = [0x5a_u8; SHA512_3_BLOCK_MESSAGE];
    g.bench_function("sha512-3-blocks-ring", |b| {
        b.iter(|| ring::digest::digest(&ring::digest::SHA512, black_box(&message)))
    });
    g.finish();
}

const SHA512_IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];
const SHA256_IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

fn encode_sign(c: &mut Criterion) {
    let client = SendApiClient::builder("https://bench.invalid", "8da592bc6fcf8bae41b2", key_secret())
        .build()
        .expect("client builds");
    let message = seed_message();
    let mut g = c.benchmark_group("encode-sign");
    g.bench_function("messages.create", |b| {
        b.iter(|| client.prepare(black_box(&message)).expect("valid"))
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    let body: Vec<u8> = (0..LARGE_BODY_BYTES).map(|i| (i % 251) as u8).collect();
    let signer = Signer::new(&key_secret());
    let signature = signer.sign(&body);
    let mut g = c.benchmark_group("verify");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("20MiB", |b| {
        b.iter(|| signer.verify(black_box(&body), black_box(&signature)).expect("valid"))
    });
    g.bench_function("sha512-20MiB", |b| b.iter(|| Sha512::digest(black_box(&body))));
    g.finish();
}

fn verify_webhook(c: &mut Criterion) {
    let secret = Secret::new("x5Rk3n9PqT2vWb7YcL4mZs8D");
    let body = webhook_body();
    let verifier = WebhookVerifier::new(&secret).expect("a webhook secret");
    let headers = delivery_headers(&verifier, &body);
    let signed = [WEBHOOK_TIMESTAMP.as_bytes(), b".", &body].concat();
    let signature = format!("sha256={}", HmacSha256::new(&secret).sign_hex(&signed));
    assert_eq!(headers["x-chatwoot-signature"], signature.as_str());
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_763_706_100);
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("chatlake-webhook-1KiB", |b| {
        b.iter(|| {
            verifier
                .authenticate_at(black_box(&headers), black_box(&body), now)
                .expect("valid")
        })
    });
    g.finish();

    // The same number of SHA-256 compressions, with no HMAC, hex or header work around them.
    let blocks = vec![GenericArray::clone_from_slice(&[0x5a; 64]); WEBHOOK_FLOOR_BLOCKS];
    let mut g = c.benchmark_group("floor");
    g.bench_function("sha256-18-blocks", |b| {
        b.iter(|| {
            let mut state = black_box(SHA256_IV);
            sha2::compress256(&mut state, black_box(&blocks));
            state
        })
    });
    #[cfg(target_arch = "x86_64")]
    {
        let blocks = vec![[0x5a_u8; 64]; WEBHOOK_FLOOR_BLOCKS];
        g.bench_function("sha256-18-blocks-asm", |b| {
            b.iter(|| {
                let mut state = black_box(SHA256_IV);
                sha2_asm::compress256(&mut state, black_box(&blocks));
                state
            })
        });
    }
    let message = vec![0x5a_u8; SHA256_FLOOR_MESSAGE];
    g.bench_function("sha256-18-blocks-ring", |b| {
        b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(&message)))
    });
    g.finish();
}

/// The headers a web server sees on a Chatwoot delivery of `body` signed at
/// [`WEBHOOK_TIMESTAMP`]: what `Webhooks::Trigger` sends (the verifier's `sign_at` builds the
/// same set) after what any HTTP client adds.
fn delivery_headers(verifier: &WebhookVerifier, body: &[u8]) -> http::HeaderMap {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(WEBHOOK_TIMESTAMP.parse().expect("digits"));
    let mut headers = http::HeaderMap::new();
    headers.insert("host", "hooks.example.com".parse().expect("ascii"));
    headers.insert(
        "user-agent",
        "rest-client/2.1.0 (linux x86_64) ruby/3.3.6p108"
            .parse()
            .expect("ascii"),
    );
    headers.insert("content-length", body.len().into());
    headers.insert(
        "accept-encoding",
        "gzip;q=1.0,deflate;q=0.6,identity;q=0.3".parse().expect("ascii"),
    );
    headers.extend(verifier.sign_at(body, at).headers);
    headers
}

/// The docs' source: what `implementation.info` answers in the documentation's example,
/// declared once and answered as a clone, as the `Source` docs recommend.
struct DocsSource {
    info: ImplementationInfo,
}

impl DocsSource {
    fn new() -> Self {
        let info = ImplementationInfo::builder()
            .object(
                ObjectName::Messages,
                [Operation::Create, Operation::Show, Operation::List],
            )
            .object(ObjectName::Threads, [Operation::List, Operation::Show])
            .option(SdkOption::ViewMessaging)
            .option(SdkOption::MessagesText)
            .build()
            .expect("the docs' declaration is valid");
        Self { info }
    }
}

impl Source for DocsSource {
    async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
        Ok(self.info.clone())
    }
}

/// Polls a future that never waits (the endpoint's work on an in-memory source) to its end.
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benched source never waits"),
    }
}

fn inbound(c: &mut Criterion) {
    let token = Secret::new(DOCS_TOKEN);
    let endpoint = Endpoint::new(&token, DocsSource::new()).expect("a token");
    let signer = Signer::new(&token);
    let request = signer.request(INFO_BODY);
    let answer = ready(endpoint.handle(request.clone()));
    assert_eq!(answer.status, http::StatusCode::OK);
    let signature = request.headers["x-smccsdk-signature"].to_str().expect("hex").to_owned();
    let mut g = c.benchmark_group("inbound");
    // verify, decode, dispatch, encode the answer, sign it
    g.bench_function("engage-digital-implementation-info", |b| {
        b.iter(|| ready(endpoint.handle(black_box(request.clone()))))
    });
    // the two MACs alone: the request's checked, the answer's made
    g.bench_function("engage-digital-verify+sign", |b| {
        b.iter(|| {
            signer
                .verify(black_box(INFO_BODY), black_box(&signature))
                .expect("valid");
            signer.sign(black_box(&answer.body))
        })
    });

    let secret = Secret::new("x5Rk3n9PqT2vWb7YcL4mZs8D");
    let verifier = WebhookVerifier::new(&secret).expect("a webhook secret");
    let body = webhook_body();
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_763_706_100);
    let headers = delivery_headers(&verifier, &body);
    verifier.verify_at(&headers, &body, now).expect("decodes");
    g.bench_function("chatlake-verify+decode-1KiB", |b| {
        b.iter(|| {
            verifier
                .verify_at(black_box(&headers), black_box(&body), now)
                .expect("valid")
        })
    });
    g.finish();
}

criterion_group!(benches, sign, floor, encode_sign, verify, verify_webhook, inbound);
criterion_main!(benches);
