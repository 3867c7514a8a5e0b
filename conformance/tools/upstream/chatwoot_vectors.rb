# frozen_string_literal: true
# encoding: utf-8
#
# Produces webhook-signature and identifier_hash vectors for deskwire-chatlake by evaluating,
# in plain Ruby + OpenSSL, the same expressions Chatwoot uses. This script is ours: it vendors
# no Chatwoot code; only the shape of the single HMAC call of each expression is reproduced.
#
# Upstream expressions reproduced (chatwoot/chatwoot; commits are the peeled release tags):
#   v4.13.0 = 88ffa329eb6e18ae06b608d8b4bab96c0e1b8f44  (annotated tag 9323b5a246dcc5c5a589959fce20cb155739e077)
#   v4.12.0 = b6b856260f5c8869f179630f721180df5796c5a0  (same blob for both files below)
#
#   lib/webhooks/trigger.rb  (blob 7cb15c836084549acb00e57ddaaa46aff48ea20e)
#     line 34     body = @payload.to_json                      -> the exact bytes POSTed
#     lines 47-51 only `if @secret.present?`: ts = Time.now.to_i.to_s;
#                 X-Chatwoot-Timestamp = ts;
#                 X-Chatwoot-Signature = "sha256=" + OpenSSL::HMAC.hexdigest('SHA256', secret, "#{ts}.#{body}")
#     Here: the signed string is "<ts>.<body>" (decimal seconds, a '.', then the body bytes),
#     hexdigest is lowercase hex; ts is taken from the vector instead of Time.now.
#
#   app/controllers/public/api/v1/inboxes/contacts_controller.rb  (blob 835c2596bfe8dfcb05cb919b762732c9e74e1806)
#     lines 37-43 valid_hmac?: params[:identifier_hash] ==
#                 OpenSSL::HMAC.hexdigest('sha256', @inbox_channel.hmac_token, params[:identifier].to_s)
#     Here: the identifier is turned into the message with Ruby's #to_s exactly as upstream does
#     (nil.to_s == "", 42.to_s == "42"); the comparison upstream is a plain `==` on lowercase hex.
#
# The message_created bodies are built with Ruby's stdlib JSON (`to_json`), shaped like
# Message#webhook_data (app/models/message.rb lines 180-198 at v4.13.0) merged with `event`.
# Chatwoot itself serialises with ActiveSupport's encoder, which additionally escapes <, >, &
# as \u003c, \u003e, \u0026 and U+2028/U+2029 (activesupport 7.1.5.2,
# lib/active_support/json/encoding.rb lines 46-52); one vector applies those rules (our own
# re-implementation below) so the body looks like a real Rails body. A verifier must sign the
# raw body bytes, whichever encoder produced them.
#
# Usage: ruby conformance/tools/upstream/chatwoot_vectors.rb > conformance/vectors/chatlake/chatwoot.json
# Needs only Ruby with its bundled json and openssl (Debian: apt-get install ruby).

require 'json'
require 'openssl'

GENERATOR = 'conformance/tools/upstream/chatwoot_vectors.rb'
V4_13_0 = '88ffa329eb6e18ae06b608d8b4bab96c0e1b8f44'
BASE58 = /\A[1-9A-HJ-NP-Za-km-z]+\z/

# --- the two upstream expressions (shape only) -------------------------------------------

def chatwoot_webhook_headers(secret, ts, body)
  ts_s = ts.to_s
  {
    'X-Chatwoot-Signature' => "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', secret, "#{ts_s}.#{body}")}",
    'X-Chatwoot-Timestamp' => ts_s
  }
end

def chatwoot_identifier_hash(hmac_token, identifier)
  OpenSSL::HMAC.hexdigest('sha256', hmac_token, identifier.to_s)
end

# --- helpers ------------------------------------------------------------------------------

# ActiveSupport-style escaping applied to an already generated JSON text (our own code).
def rails_style_escape(json)
  json.gsub('>', '\u003e').gsub('<', '\u003c').gsub('&', '\u0026')
      .gsub("\u2028", '\u2028').gsub("\u2029", '\u2029')
end

def utf8(str)
  str.dup.force_encoding(Encoding::UTF_8).tap { |s| raise "not UTF-8: #{s.inspect}" unless s.valid_encoding? }
end

# Secrets / tokens: Rails has_secure_token style (24 chars of the base58 alphabet).
SECRET_24 = 'Xq3vR8tYk2PzN7mWc4HbJ9sD'
SECRET_24_B = 'h7Tn2KqWz9VbE4xRm3PcY8fA'
# 65 bytes: just over the SHA-256 block size (64), so HMAC hashes the key first.
SECRET_65 = ('9aZ' * 22)[0, 65]
# 150 bytes (> 128): the key-hashing path again, with a multi-block key.
SECRET_150 = (1..150).map { |i| 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ123456789'[(i * 7) % 58] }.join
HMAC_TOKEN = 'Fk8sW3nQ7pLr2YtZ5cVb9HmX'
HMAC_TOKEN_LONG = ('Lg4Dq' * 17)[0, 85] # 85 bytes (> 64)

[SECRET_24, SECRET_24_B, HMAC_TOKEN].each { |s| raise "bad token #{s}" unless s.size == 24 && s.match?(BASE58) }
raise 'SECRET_65 length' unless SECRET_65.bytesize == 65
raise 'SECRET_150 length' unless SECRET_150.bytesize == 150 && SECRET_150.match?(BASE58)
raise 'HMAC_TOKEN_LONG length' unless HMAC_TOKEN_LONG.bytesize == 85

TS_NOW = 1_776_346_379 # 2026-04-16T13:32:59Z (the v4.13.0 tag time), 10 digits
TS_ZERO = 0

def message_created(content:, id: 8812, extra: {})
  {
    account: { id: 3, name: 'Acme Support' },
    additional_attributes: {},
    content_attributes: {},
    content_type: 'text',
    content: content,
    conversation: {
      additional_attributes: {},
      can_reply: true,
      channel: 'Channel::Api',
      id: 417,
      inbox_id: 12,
      status: 'open',
      meta: { hmac_verified: false },
      timestamp: 1_776_346_370
    },
    created_at: '2026-04-16T13:32:58.412Z',
    id: id,
    inbox: { id: 12, name: 'Deskwire API' },
    message_type: 'outgoing',
    private: false,
    sender: { id: 7, name: 'Jane Agent', email: 'jane@example.com', type: 'user' },
    source_id: nil
  }.merge(extra).merge(event: 'message_created')
end

webhook_cases = [
  {
    name: 'message_created_realistic',
    secret: SECRET_24,
    timestamp: TS_NOW,
    body: message_created(content: 'Hello from the agent').to_json
  },
  {
    name: 'message_created_non_ascii',
    secret: SECRET_24,
    timestamp: TS_NOW,
    body: message_created(content: utf8("Caf\u00e9 cr\u00e8me \u{1F600}\u{1F44D} \u4f60\u597d\u4e16\u754c \u65e5\u672c\u8a9e"), id: 8813).to_json
  },
  {
    name: 'empty_object_timestamp_zero',
    secret: SECRET_24,
    timestamp: TS_ZERO,
    body: {}.to_json
  },
  {
    name: 'newlines_in_strings_and_trailing_newline',
    secret: SECRET_24_B,
    timestamp: TS_NOW,
    body: "#{message_created(content: "line one\nline two\r\n\ttabbed", id: 8814).to_json}\n"
  },
  {
    name: 'secret_65_bytes_key_hashed',
    secret: SECRET_65,
    timestamp: TS_NOW,
    body: message_created(content: 'key longer than the SHA-256 block', id: 8815).to_json
  },
  {
    name: 'secret_150_bytes_key_hashed',
    secret: SECRET_150,
    timestamp: TS_NOW,
    body: message_created(content: 'key longer than 128 bytes', id: 8816).to_json
  },
  {
    name: 'rails_escaped_html_entities',
    secret: SECRET_24,
    timestamp: TS_NOW,
    body: rails_style_escape(message_created(content: utf8("<b>Tom & Jerry</b> > 2\u2028next"), id: 8817).to_json)
  },
  {
    name: 'conversation_status_changed_timestamp_zero',
    secret: SECRET_24_B,
    timestamp: TS_ZERO,
    body: { changed_attributes: [{ status: { previous_value: 'open', current_value: 'resolved' } }],
            id: 417, inbox_id: 12, status: 'resolved', event: 'conversation_status_changed' }.to_json
  }
]

webhook_vectors = webhook_cases.map do |c|
  body = utf8(c[:body])
  {
    name: c[:name],
    secret: c[:secret],
    timestamp: c[:timestamp],
    body: body,
    headers: chatwoot_webhook_headers(c[:secret], c[:timestamp], body)
  }
end

identifier_cases = [
  { name: 'plain', hmac_token: HMAC_TOKEN, identifier: 'customer-8a41f2' },
  { name: 'nil_identifier_hashed_as_empty', hmac_token: HMAC_TOKEN, identifier: nil },
  { name: 'empty_string_identifier', hmac_token: HMAC_TOKEN, identifier: '' },
  { name: 'integer_identifier_to_s', hmac_token: HMAC_TOKEN, identifier: 42 },
  { name: 'non_ascii_identifier', hmac_token: HMAC_TOKEN, identifier: utf8("Jos\u00e9-\u6771\u4eac-\u{1F642}") },
  { name: 'identifier_with_spaces', hmac_token: HMAC_TOKEN, identifier: '  John  Smith ' },
  { name: 'email_identifier', hmac_token: HMAC_TOKEN, identifier: 'jane.doe+vip@example.com' },
  { name: 'token_longer_than_64_bytes', hmac_token: HMAC_TOKEN_LONG, identifier: 'customer-8a41f2' }
]

identifier_vectors = identifier_cases.map do |c|
  {
    name: c[:name],
    hmac_token: c[:hmac_token],
    identifier: c[:identifier],
    identifier_hash: chatwoot_identifier_hash(c[:hmac_token], c[:identifier])
  }
end

out = {
  generator: GENERATOR,
  runtime: "#{RUBY_DESCRIPTION}; #{OpenSSL::OPENSSL_LIBRARY_VERSION}",
  webhook_signature: {
    upstream: { repo: 'chatwoot/chatwoot', path: 'lib/webhooks/trigger.rb', tag: 'v4.13.0', commit: V4_13_0 },
    vectors: webhook_vectors
  },
  # Not an upstream behaviour: the sender mistake receivers report (chatwoot/chatwoot#13809), the
  # same HMAC over the body alone, without "<ts>.". A verifier must refuse it.
  body_only_mistake: {
    upstream: { repo: 'chatwoot/chatwoot', path: 'lib/webhooks/trigger.rb', tag: 'v4.13.0', commit: V4_13_0 },
    vectors: webhook_vectors.first(1).map do |v|
      v.merge(headers: { 'X-Chatwoot-Signature' => "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', v[:secret], v[:body])}",
                         'X-Chatwoot-Timestamp' => v[:timestamp].to_s })
    end
  },
  identifier_hash: {
    upstream: { repo: 'chatwoot/chatwoot', path: 'app/controllers/public/api/v1/inboxes/contacts_controller.rb',
                tag: 'v4.13.0', commit: V4_13_0 },
    vectors: identifier_vectors
  }
}

puts JSON.pretty_generate(out)
