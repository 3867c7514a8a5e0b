<?php
// Produces signing / verification / response vectors by running RingCentral Engage Digital's
// own PHP Channel SDK (class SmccSdk). This script is ours: it contains no SDK code and only
// `require`s the upstream file and calls its public methods.
//
// Upstream under test (never vendored or committed here):
//   repository  ringcentral/engage-digital-source-sdk   (same history as dimelo/sdk)
//   file        engage-digital-source-sdk-php/sdk.php
//   commit      b4dda83dea259416c956adaedef718a9ae177be2   (snapshot HEAD, 2019-10-22; the file
//               itself last changed in a19d3e4d23b33818c2bf543fd15ce5bf0cfa3342, git blob
//               ec7b879505dc700e11b9d5d14ea0c1a354ee4c92)
//   methods     SmccSdk::signature()         (lines 143-145: hash_hmac('sha512', ..., raw=false))
//               SmccSdk::is_valid_request()  (lines 105-108: header `===` OR `$_REQUEST['signature']` `===`)
//               SmccSdk::respond()           (lines 115-121: json_encode + X-SMCCSDK-SIGNATURE + exit)
//               SmccSdk::error()             (lines 129-133: `Status: 400 Bad Request` + message + exit)
//
// Usage:
//   git --git-dir=<mirror>/.git archive HEAD | tar -x -C /tmp/edsdk
//   php conformance/tools/upstream/engage_digital_php_sdk_vectors.php /tmp/edsdk/engage-digital-source-sdk-php/sdk.php \
//     > conformance/vectors/engage-digital/php-sdk.json
// The first argument may also be the repository root. Needs `php` (CLI) and `php-cgi`
// (Debian: apt-get install php-cli php-cgi); PHP_CGI=/path/to/php-cgi overrides the lookup.
//
// How requests are fed to the SDK (the simplest faithful method):
//   * `sign` vectors call SmccSdk::signature() directly in this CLI process.
//   * `verify` and `respond` vectors need what the SDK reads from a real request
//     (`php://input`, `$_SERVER['HTTP_X_SMCCSDK_SIGNATURE']`, `$_REQUEST['signature']`), and
//     respond()/error() call `exit`. So each case runs this same file once more under
//     `php-cgi` as a CGI/1.1 request: REQUEST_METHOD=POST, CONTENT_TYPE=application/json,
//     CONTENT_LENGTH, the body on stdin, the header as the CGI variable
//     HTTP_X_SMCCSDK_SIGNATURE (how every web server hands `X-SMCCSDK-SIGNATURE` to PHP),
//     and `?signature=` as a percent-encoded QUERY_STRING. PHP itself then fills $_SERVER,
//     $_GET/$_REQUEST and php://input; nothing is stubbed and no protected member is touched.
//     The CGI response (headers, blank line, body) is parsed to get the exact body bytes, the
//     `Status:` header and the X-SMCCSDK-SIGNATURE header. request_order/variables_order are
//     pinned to the php.ini-production values (GP / GPCS) so $_REQUEST = GET + POST.
//
// Output: pretty JSON on stdout (schema: generator, runtime, upstream, harness, sign, verify, respond).

const GENERATOR = 'conformance/tools/upstream/engage_digital_php_sdk_vectors.php';
const UPSTREAM_REPO = 'ringcentral/engage-digital-source-sdk';
const UPSTREAM_PATH = 'engage-digital-source-sdk-php/sdk.php';
const UPSTREAM_COMMIT = 'b4dda83dea259416c956adaedef718a9ae177be2';
const UPSTREAM_BLOB = 'ec7b879505dc700e11b9d5d14ea0c1a354ee4c92';

// Key used in the Send API page's "Complete Examples" (engage-digital-api-docs, send-api.md).
const KEY = '56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3';
// Key and published signature of the Request/Response page's "Complete Example".
const DOCS_RR_KEY = '3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8';
const DOCS_RR_SIGNATURE = '826b61e7939505b2e773ef43a2aad53ec0385dd9d783fbd1c8fea00d0e2a3e2fb0ae0a5b2eb342356b61c41b5f19baec4c1f7e7e37a5b486fe9b593942017ff9';

const SEED_BODY = '{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06/11/2017","screenname":"Alice"},"body":"Awesome post !","thread_id":"42"}}';

const JSON_OUT = JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;

// ------------------------------------------------------------------ values handed to respond()
// Built natively in PHP so that the vector shows exactly what json_encode() in respond() makes
// of them (escaped slashes, \uXXXX escapes, array() => [], stdClass => {}).
function respond_cases(): array
{
    return [
        'implementation_info' => [
            'objects' => [
                'messages' => ['create', 'show', 'list'],
                'threads' => ['create', 'show', 'list'],
            ],
            'options' => ['messages.text', 'view.messaging'],
        ],
        'implementation_info_no_options' => [
            'objects' => ['private_messages' => ['create', 'show', 'list']],
            'options' => [],
        ],
        'messages_list_empty_php_array' => [],
        'messages_show_empty_object' => new stdClass(),
        'messages_create_reply_non_ascii_and_slash' => [
            'id' => '132',
            'body' => "Café ☕ 06/11/2017 </b> \"quoted\" 🎉",
        ],
        'resource_error' => [
            'error' => ['fatal' => false, 'message' => 'Unable to save message.'],
        ],
    ];
}

function error_cases(): array
{
    return [
        'error_invalid_signature' => 'Invalid signature',
        'error_invalid_action' => 'Invalid action',
    ];
}

// ------------------------------------------------------------------ worker (runs under php-cgi)
if (PHP_SAPI === 'cgi' || PHP_SAPI === 'cgi-fcgi') {
    require getenv('EDV_SDK');
    $sdk = new SmccSdk(getenv('EDV_KEY'));
    $op = getenv('EDV_OP');
    $case = getenv('EDV_CASE');
    if ($op === 'verify') {
        header('Content-type: application/json');
        echo json_encode([
            'accepted' => $sdk->is_valid_request(),
            'request_order' => ini_get('request_order'),
            'variables_order' => ini_get('variables_order'),
            'php_version' => PHP_VERSION,
            'sapi' => PHP_SAPI,
        ]);
        exit;
    }
    if ($op === 'respond') {
        $sdk->respond(respond_cases()[$case]);
    }
    if ($op === 'error') {
        $sdk->error(error_cases()[$case]);
    }
    header('Status: 500 Internal Server Error');
    echo "unknown op\n";
    exit;
}

// ------------------------------------------------------------------ driver (CLI)
function fail(string $msg): void
{
    fwrite(STDERR, 'engage_digital_php_sdk_vectors: ' . $msg . "\n");
    exit(1);
}

function resolve_sdk(?string $arg): string
{
    if ($arg === null || $arg === '') {
        fail('usage: php ' . GENERATOR . ' <path to sdk.php or repository root>');
    }
    $p = is_dir($arg) ? rtrim($arg, '/') . '/' . UPSTREAM_PATH : $arg;
    $real = realpath($p);
    if ($real === false || !is_file($real)) {
        fail("no SDK file at $p");
    }
    return $real;
}

function git_blob_id(string $file): string
{
    $c = file_get_contents($file);
    return sha1('blob ' . strlen($c) . "\0" . $c);
}

function find_php_cgi(): string
{
    $env = getenv('PHP_CGI');
    if ($env !== false && $env !== '') {
        return $env;
    }
    foreach (explode(PATH_SEPARATOR, (string) getenv('PATH')) as $dir) {
        foreach (['php-cgi', 'php-cgi' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION] as $n) {
            if (is_executable("$dir/$n")) {
                return "$dir/$n";
            }
        }
    }
    fail('php-cgi not found (install php-cgi or set PHP_CGI)');
    return '';
}

/**
 * Runs this script under php-cgi as one CGI/1.1 POST request and returns
 * ['status' => int, 'headers' => [lower-name => value], 'body' => string].
 */
function cgi_request(string $cgi, string $sdk, array $vars, string $body, ?string $header, ?string $query): array
{
    $env = [
        'PATH' => (string) getenv('PATH'),
        'GATEWAY_INTERFACE' => 'CGI/1.1',
        'SERVER_PROTOCOL' => 'HTTP/1.1',
        'SERVER_SOFTWARE' => 'engage-digital-vectors',
        'SERVER_NAME' => 'localhost',
        'SERVER_PORT' => '80',
        'REMOTE_ADDR' => '127.0.0.1',
        'REQUEST_METHOD' => 'POST',
        'SCRIPT_FILENAME' => __FILE__,
        'SCRIPT_NAME' => '/sdk-endpoint.php',
        'REQUEST_URI' => '/sdk-endpoint.php' . ($query === null ? '' : '?signature=' . rawurlencode($query)),
        'QUERY_STRING' => $query === null ? '' : 'signature=' . rawurlencode($query),
        'CONTENT_TYPE' => 'application/json',
        'CONTENT_LENGTH' => (string) strlen($body),
        'REDIRECT_STATUS' => '200',
        'EDV_SDK' => $sdk,
    ] + $vars;
    if ($header !== null) {
        $env['HTTP_X_SMCCSDK_SIGNATURE'] = $header;
    }
    $cmd = [$cgi, '-d', 'request_order=GP', '-d', 'variables_order=GPCS', '-d', 'display_errors=stderr', '-d', 'expose_php=0'];
    $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    if (!is_resource($proc)) {
        fail('cannot start php-cgi');
    }
    fwrite($pipes[0], $body);
    fclose($pipes[0]);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    $rc = proc_close($proc);
    if ($err !== '') {
        fwrite(STDERR, "php-cgi stderr: $err\n");
    }
    $sep = strpos($out, "\r\n\r\n");
    if ($sep === false) {
        fail("unparseable php-cgi output (rc=$rc): " . substr($out, 0, 200));
    }
    $headers = [];
    foreach (explode("\r\n", substr($out, 0, $sep)) as $line) {
        $c = strpos($line, ':');
        if ($c !== false) {
            $headers[strtolower(substr($line, 0, $c))] = ltrim(substr($line, $c + 1));
        }
    }
    $status = 200;
    if (isset($headers['status']) && preg_match('/^(\d{3})/', $headers['status'], $m)) {
        $status = (int) $m[1];
    }
    return ['status' => $status, 'headers' => $headers, 'body' => substr($out, $sep + 4)];
}

$sdkPath = resolve_sdk($argv[1] ?? null);
$blob = git_blob_id($sdkPath);
$commit = UPSTREAM_COMMIT;
if ($blob !== UPSTREAM_BLOB) {
    fwrite(STDERR, "warning: $sdkPath has git blob $blob, not " . UPSTREAM_BLOB . "; upstream.commit set to null\n");
    $commit = null;
}
require $sdkPath;
$cgi = find_php_cgi();
$sdk = new SmccSdk(KEY);

// ---- sign
$docsPhpExampleBody = json_encode([
    // the array literal of send-api.md "Complete Examples" (PHP), encoded as that example does
    'action' => 'messages.create',
    'params' => [
        'id' => '890',
        'author' => ['id' => '42', 'created_at' => '06/11/2017', 'screenname' => 'Alice'],
        'body' => 'Nice post!',
        'thread_id' => '888',
    ],
]);
$nonAsciiRaw = '{"action":"messages.create","params":{"id":"891","author":{"id":"42","created_at":"2017-11-06T10:00:00Z","screenname":"Zoë"},"body":"Café ☕ 日本語 🎉","thread_id":"42"}}';
$signCases = [
    ['send_api_seed_messages_create', KEY, SEED_BODY],
    ['send_api_seed_pretty_printed', KEY, json_encode(json_decode(SEED_BODY), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES)],
    ['send_api_seed_trailing_newline', KEY, SEED_BODY . "\n"],
    ['send_api_docs_php_example_json_encode_escaped_slashes', KEY, $docsPhpExampleBody],
    ['send_api_json_encoded_request_body_example', KEY, '{"action":"messages.create","params":{"id":"890","actions":["reply","show","list"],"author":{"id":"666","created_at":"07/11/2019","screenname":"John Doe"},"body":"Awesome post !","format":"text","thread_id":"42"}}'],
    ['send_api_threads_create', KEY, '{"action":"threads.create","params":{"id":"42","title":"Order #42","author":{"id":"42","created_at":"06/11/2017","screenname":"Alice"},"body":"Where is my order?"}}'],
    ['send_api_users_create_puppetizable', KEY, '{"action":"users.create","params":{"id":"1234","firstname":"Elliot","lastname":"Alderson","screenname":"Mr. Robot","puppetizable":true,"created_at":"06/11/2017"}}'],
    ['send_api_status_mark_as_read', KEY, '{"action":"status.mark_as_read","params":{"id":"890"}}'],
    ['send_api_typing_start', KEY, '{"action":"typing.start","params":{"thread_id":"42","in_reply_to_id":"890","preview":"Hello world"}}'],
    ['non_ascii_raw_utf8', KEY, $nonAsciiRaw],
    ['non_ascii_json_u_escaped', KEY, json_encode(json_decode($nonAsciiRaw))],
    ['empty_body', KEY, ''],
    ['implementation_info_request_compact', KEY, '{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}'],
    ['docs_request_response_example', DOCS_RR_KEY, '{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}'],
    ['empty_key', '', SEED_BODY],
];
$sign = [];
foreach ($signCases as [$name, $key, $body]) {
    $s = (new SmccSdk($key))->signature($body);
    $entry = ['name' => $name, 'key' => $key, 'body' => $body, 'signature' => $s];
    if ($name === 'docs_request_response_example') {
        $entry['published_in_docs'] = DOCS_RR_SIGNATURE;
        if ($s !== DOCS_RR_SIGNATURE) {
            fwrite(STDERR, "warning: SDK signature differs from the one published in request-response.md\n");
        }
    }
    $sign[] = $entry;
}

// ---- verify
$good = $sdk->signature(SEED_BODY);
$wrong = $sdk->signature(SEED_BODY . ' ');           // well-formed hex, other body
$pretty = $sdk->signature(json_encode(json_decode(SEED_BODY), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES));
$otherKey = (new SmccSdk(DOCS_RR_KEY))->signature(SEED_BODY);
$emptySig = $sdk->signature('');
$nonAsciiSig = $sdk->signature($nonAsciiRaw);
$verifyCases = [
    // name, body, header, query
    ['correct_header_only', SEED_BODY, $good, null],
    ['wrong_header_only', SEED_BODY, $wrong, null],
    ['correct_query_only', SEED_BODY, null, $good],
    ['wrong_query_only', SEED_BODY, null, $wrong],
    ['wrong_header_correct_query', SEED_BODY, $wrong, $good],
    ['correct_header_wrong_query', SEED_BODY, $good, $wrong],
    ['correct_header_correct_query', SEED_BODY, $good, $good],
    ['wrong_header_wrong_query', SEED_BODY, $wrong, $wrong],
    ['uppercase_hex_header', SEED_BODY, strtoupper($good), null],
    ['uppercase_hex_query', SEED_BODY, null, strtoupper($good)],
    ['missing_both', SEED_BODY, null, null],
    ['empty_string_header', SEED_BODY, '', null],
    ['empty_string_query', SEED_BODY, null, ''],
    ['empty_string_header_correct_query', SEED_BODY, '', $good],
    ['correct_header_empty_string_query', SEED_BODY, $good, ''],
    ['header_with_trailing_space_as_seen_by_php', SEED_BODY, $good . ' ', null],
    ['header_truncated_to_64_hex', SEED_BODY, substr($good, 0, 64), null],
    ['header_signed_pretty_body_sent_compact', SEED_BODY, $pretty, null],
    ['header_signed_with_other_key', SEED_BODY, $otherKey, null],
    ['empty_body_correct_header', '', $emptySig, null],
    ['empty_body_missing_both', '', null, null],
    ['non_ascii_body_correct_header', $nonAsciiRaw, $nonAsciiSig, null],
    ['non_ascii_body_correct_query', $nonAsciiRaw, null, $nonAsciiSig],
];
$verify = [];
$workerInfo = null;
foreach ($verifyCases as [$name, $body, $header, $query]) {
    $r = cgi_request($cgi, $sdkPath, ['EDV_KEY' => KEY, 'EDV_OP' => 'verify', 'EDV_CASE' => $name], $body, $header, $query);
    $res = json_decode($r['body'], true);
    if (!is_array($res) || !array_key_exists('accepted', $res)) {
        fail("verify case $name: unexpected worker output: " . $r['body']);
    }
    $workerInfo = $workerInfo ?? $res;
    $verify[] = [
        'name' => $name,
        'key' => KEY,
        'body' => $body,
        'header' => $header,
        'query_signature' => $query,
        'accepted' => $res['accepted'],
    ];
}

// ---- respond / error
$respond = [];
foreach (respond_cases() as $name => $value) {
    $r = cgi_request($cgi, $sdkPath, ['EDV_KEY' => KEY, 'EDV_OP' => 'respond', 'EDV_CASE' => $name], '', null, null);
    $respond[] = [
        'name' => $name,
        'method' => 'respond',
        'key' => KEY,
        'answer' => $value,
        'body' => $r['body'],
        'signature' => $r['headers']['x-smccsdk-signature'] ?? null,
        'status' => $r['status'],
        'content_type' => $r['headers']['content-type'] ?? null,
    ];
}
foreach (error_cases() as $name => $message) {
    $r = cgi_request($cgi, $sdkPath, ['EDV_KEY' => KEY, 'EDV_OP' => 'error', 'EDV_CASE' => $name], '', null, null);
    $respond[] = [
        'name' => $name,
        'method' => 'error',
        'key' => KEY,
        'answer' => $message,
        'body' => $r['body'],
        'signature' => $r['headers']['x-smccsdk-signature'] ?? null,
        'status' => $r['status'],
        'status_header' => $r['headers']['status'] ?? null,
        'content_type' => $r['headers']['content-type'] ?? null,
    ];
}

$out = [
    'generator' => GENERATOR,
    'runtime' => 'PHP ' . PHP_VERSION,
    'upstream' => [
        'repo' => UPSTREAM_REPO,
        'path' => UPSTREAM_PATH,
        'commit' => $commit,
        'blob' => $blob,
    ],
    'harness' => [
        'sign' => 'SmccSdk::signature() called in the CLI process',
        'verify_respond' => 'each case is one CGI/1.1 POST run by php-cgi; body on stdin (php://input), '
            . 'header as HTTP_X_SMCCSDK_SIGNATURE, query as QUERY_STRING signature=<rawurlencoded>, '
            . 'CONTENT_TYPE application/json; status is taken from the CGI Status header (200 if absent)',
        'php_cgi' => [
            'sapi' => $workerInfo['sapi'] ?? null,
            'version' => $workerInfo['php_version'] ?? null,
            'request_order' => $workerInfo['request_order'] ?? null,
            'variables_order' => $workerInfo['variables_order'] ?? null,
        ],
    ],
    'sign' => $sign,
    'verify' => $verify,
    'respond' => $respond,
];
echo json_encode($out, JSON_OUT), "\n";
