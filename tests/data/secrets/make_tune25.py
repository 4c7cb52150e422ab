#!/usr/bin/env python3
"""Writes tune25_positive.jsonl and tune25_negative.jsonl: cases written by the
session-25 rule writer (sec25) after reading heldout6's half A misses and
false alarms (and, later, half B's), each class with three more positives in
other files and shapes, and near misses of the new rules and readings (real
lines with source and licence where a false alarm's class was fixed).
In-sample by design. Values are random from a fixed seed, split by "<<>>"
(removed when the corpus is loaded).

Run: python3 tests/data/secrets/make_tune25.py   (--check: exit 1 unless the
committed files are what it writes; a test)
"""
import json, os, random, string, sys

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(2025120725)
AL = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
def r(n, a=AL): return "".join(rng.choice(a) for _ in range(n))
def sp(v, k=4): return v[:k] + "<<>>" + v[k:]
def pw():  # chosen-looking password: letters, digit, symbol
    return r(3, string.ascii_uppercase) + rng.choice("!#%&@^*") + r(4, string.ascii_lowercase) + r(2, string.digits) + r(2, string.ascii_letters)
rows = []
def add(cls, path, text):
    rows.append({"id": "t25p%03d" % (len(rows) + 1), "category": cls, "source": "written by sec25 after " + cls, "path": path, "text": text})

C = "s6p039 (a secret in an assignment commented out, unquoted)"
add(C, ".env", "APP_ENV=production\n# SENTRY_AUTH_TOKEN=%s\nSENTRY_ORG=acme" % sp(r(64, HEX)))
add(C, "deploy/run.sh", "#!/bin/sh\n#export DATADOG_API_KEY=%s   # old key\nexec ./server" % sp(r(32, HEX)))
add(C, "Makefile", "# API_TOKEN := %s\nAPI_TOKEN ?= $(shell cat .token)\n\nrelease:\n\t./release.sh" % sp(r(40)))
add(C, "config/providers.json", '{\n  "deepseek": "%s",\n  "timeout": 30\n}' % sp("sk-" + r(32, HEX), 6))
C = "s6p047 (a vendor server key whose prefix is a word, handed to an SDK: Statsig `secret-`)"
add(C, "app/flags.py", 'from statsig import statsig\n\nstatsig.initialize("%s")' % sp("secret-" + r(43), 9))
add(C, "internal/flags/flags.go", 'func Init() {\n\tstatsig.InitializeWithOptions("%s", &statsig.Options{Environment: statsig.Environment{Tier: "production"}})\n}' % sp("secret-" + r(43), 9))
add(C, "src/main/kotlin/acme/Flags.kt", 'object Flags {\n    fun start() = StatsigServer.initializeAsync(\n        "%s",\n        StatsigOptions(),\n    )\n}' % sp("secret-" + r(43), 9))
C = "s6p093 (a build DSL setting named for a password: Gradle signingConfigs)"
add(C, "android/app/build.gradle", "android {\n    signingConfigs {\n        upload {\n            storeFile file('upload.jks')\n            storePassword '%s'\n            keyAlias 'upload'\n        }\n    }\n}" % sp(pw()))
add(C, "gradle/publish.gradle", 'publishing {\n    repositories {\n        maven {\n            url "https://nexus.acme.io/repository/releases"\n            credentials {\n                username "deploy"\n                nexusPassword "%s"\n            }\n        }\n    }\n}' % sp(pw()))
add(C, "ci/sonar.groovy", "sonarqube {\n    properties {\n        sonarToken '%s'\n    }\n}" % sp(r(32, HEX)))
C = "s6p095 (a server or proxy configured to add a credential header)"
add(C, "nginx/conf.d/api.conf", 'location /upstream/ {\n    proxy_pass https://partner.example.net/;\n    proxy_set_header X-Api-Key "%s";\n}' % sp(r(36)))
add(C, "haproxy/haproxy.cfg", "backend billing\n    http-request set-header X-Auth-Token %s\n    server billing1 10.0.3.12:8443 ssl verify required" % sp(r(48, HEX)))
add(C, "Caddyfile", "reports.acme.io {\n\treverse_proxy https://metabase.internal {\n\t\theader_up X-Metabase-Session %s\n\t\theader_up X-Api-Token %s\n\t}\n}" % ("{http.request.header.Cookie}", sp(r(40))))
C = "s6p101 (a whole assignment quoted: systemd Environment=\"…\", batch set \"…\")"
add(C, "deploy/worker.service", '[Service]\nUser=worker\nEnvironment="GRAFANA_API_TOKEN=%s"\nExecStart=/opt/worker/bin/worker' % sp(r(40)))
add(C, "scripts/deploy.bat", '@echo off\nset "DB_PASSWORD=%s"\nset "DB_HOST=db01.acme.local"\ncall migrate.cmd' % sp(pw()))
add(C, "tools/publish.cmd", 'setlocal\nset "NUGET_API_KEY=%s"\ndotnet nuget push *.nupkg -k %%NUGET_API_KEY%% -s https://api.nuget.org/v3/index.json' % sp(r(46, "abcdefghijklmnopqrstuvwxyz0123456789")))
import base64
def b64(u): return base64.b64encode(u.encode()).decode()
C = "s6p026 (heldout6 half B, read after its score: Resend's key format)"
add(C, "emails/send.py", 'resend.api_key = "%s"' % sp("re_" + r(8) + "_" + r(24), 6))
add(C, "src/mailer.go", 'client := resend.NewClient("%s")' % sp("re_" + r(8) + "_" + r(24), 6))
add(C, "config/mail.json", '{"provider": "resend", "credentials": ["%s"]}' % sp("re_" + r(8) + "_" + r(24), 6))
C = "s6p094, s6p106 (heldout6 half B, read after its score: a Basic header's value kept without its name)"
add(C, "Sources/Api/Client.swift", 'static let basic = "Basic %s"' % sp(b64("svc_sync:" + pw()), 6))
add(C, "haproxy/haproxy.cfg", "backend erp\n    http-request set-header Authorization \"Basic %s\"" % sp(b64("erp-proxy:" + pw()), 6))
add(C, "src/api/legacy.ts", "const headers = new Headers();\nheaders.set('Authorization', 'Basic %s');" % sp(b64("reporting:" + pw()), 6))
C = "s6p100 (heldout6 half B, read after its score: a secret's value in an object under its name)"
add(C, "infra/azuredeploy.parameters.json", '{\n  "parameters": {\n    "adminUsername": { "value": "azureops" },\n    "adminPassword": { "value": "%s" }\n  }\n}' % sp(pw() + r(4)))
add(C, "terraform/out.json", '{"api_token": {"sensitive": false, "value": "%s"}}' % sp(r(40)))
add(C, "tfplan.json", '    "client_secret": {\n      "value": "%s"\n    },' % sp(r(34)))
C = "s6p108 (heldout6 half B, read after its score: a tool's password variable named without a separator)"
add(C, ".github/workflows/deploy.yml", "    env:\n      SSHPASS: '%s'" % sp(pw()))
add(C, "deploy/.env", "SSHPASS=%s\nHOST=deploy@203.0.113.7" % sp(pw()))
add(C, "scripts/cache.sh", 'REDISCLI_AUTH="%s" redis-cli -h cache.internal FLUSHDB' % sp(pw()))
C = "session 24's notes (SQL rows over lines, a hex seed value, Bruno's apikey block, a secret split into named parts)"
add(C, "db/seed/010_keys.sql", "INSERT INTO api_keys (name, key_value, secret)\nVALUES\n  (\n    'billing',\n    'svc',\n    '%s'\n  );" % sp(r(32)))
add(C, "db/seed/011_tokens.sql", "INSERT INTO service_tokens (service, token)\nVALUES ('crm',\n        '%s');" % sp(r(36)))
add(C, "db/seed/012_webhooks.sql", "INSERT INTO webhooks (url, signing_key) VALUES ('https://hooks.acme.io/in', '%s');" % sp(r(64, HEX)))
add(C, "collections/partner/Get invoices.bru", "auth:apikey {\n  key: X-Partner-Key\n  value: %s\n  placement: header\n}" % sp(r(32)))
add(C, "server/payments/stripe.ts", 'const A = "%s";\nconst B = "%s";\nexport const stripe = new Stripe(A + B);' % ("sk_live_51" + r(6), sp(r(24))))
add(C, "app/settings.py", 'PART1 = "%s"\nPART2 = "%s"\n\nstripe.api_key = PART1 + PART2' % ("sk_live_51" + r(6), sp(r(24))))
add(C, "cmd/bot/main.go", 'const head = "%s"\nconst tail = "%s"\n\nfunc token() string { return head + tail }' % ("xoxb-" + r(10, string.digits) + "-", sp(r(12, string.digits) + "-" + r(24))))

files = {"tune25_positive.jsonl": "".join(json.dumps(x) + "\n" for x in rows)}

neg = []
def add_neg(cat, path, text, source="written by sec25: a near miss of a session 25 rule or reading", licence=None):
    x = {"id": "t25n%03d" % (len(neg) + 1), "category": cat, "source": source, "path": path, "text": text}
    if licence: x["licence"] = licence
    neg.append(x)
add_neg("commented-env", ".env", "# SENTRY_AUTH_TOKEN=your-sentry-auth-token-here\n# API_TOKEN=\nSENTRY_ORG=acme")
add_neg("commented-env", "deploy/run.sh", "# TOKEN: read from the vault at start, see docs/secrets.md\n# export API_KEY=$(vault kv get -field=key secret/api)\nexec ./server")
add_neg("vendor-word-prefix", "src/keys.js", "const SECRET_PREFIX = 'secret-';\nconst name = 'secret-manager-service-account-default-region-eu';")
add_neg("dsl-password", "android/app/build.gradle", "        release {\n            storePassword System.getenv('KEYSTORE_PASSWORD')\n            keyPassword keystoreProperties['keyPassword']\n        }")
add_neg("proxy-header", "nginx/conf.d/api.conf", 'proxy_set_header X-Api-Key $partner_api_key;\nproxy_set_header X-Request-Id $request_id;\nproxy_set_header X-Auth-Token "";')
add_neg("proxy-header", "Caddyfile", "header_up X-Api-Key {env.PARTNER_API_KEY}\nheader_up X-Forwarded-Token {http.request.header.X-Token}")
add_neg("proxy-header", "apache/site.conf", 'RequestHeader set X-Api-Key "%{PARTNER_KEY}e"\nRequestHeader unset X-Auth-Token')
add_neg("quoted-env", "scripts/deploy.bat", 'set "DB_PASSWORD=%DB_PASSWORD%"\nset "API_TOKEN="')
S = "https://github.com/cycloidio/inframap/blob/d59165c805de3d8212b5a1ffbd668925b8c8e0c0/.ci/pipeline.yml"
add_neg("ci-secret-reference", ".ci/pipeline.yml", "      access_token: ((github-access-token))", S + "#L89", "MIT")
add_neg("ci-secret-reference", ".ci/pipeline.yml", "      api_key: ((event-key))", S + "#L102", "MIT")
S = "https://github.com/paulmillr/noble-ciphers/blob/201ed9ed0b72a7ff700d2d0080038b957706dc6e/test/vectors/siv.json"
add_neg("rfc-test-vector-key", "test/vectors/siv.json", '      "key": "e66021d5eb8e4f4066d4adb9c33560e4",\n      "nonce": "f46e44bb3da0015c94f70887",\n      "authKey": "036ee1fe2d7926af68898095e54e7b3c",\n      "encKey": "5e46482396008223b5c1d25173d87539",', S + "#L246-L249", "MIT")
add_neg("rfc-test-vector-key", "test/vectors/siv.json", '      "key": "d1894728b3fed1473c528b8426a582995929a1499e9ad8780c8d63d0ab4149c0",\n      "nonce": "9f572c614b4745914474e7c7",\n      "authKey": "0533fd71f4119257361a3ff1469dd4e5",\n      "encKey": "4feba89799be8ac3684fa2bb30ade0ea51390e6d87dcf3627d2ee44493853abe",', S + "#L653-L656", "MIT")
add_neg("joined-names", "src/api.ts", 'const BASE = "https://api.acme.io";\nconst PATH = "/v1/orders";\nconst url = BASE + PATH;')
add_neg("joined-names", "app/settings.py", 'PREFIX = "acme"\nSUFFIX = "-prod"\nBUCKET_TOKEN_NAME = PREFIX + SUFFIX')
add_neg("sql-hex", "db/seed/020_users.sql", "INSERT INTO users (email, token_hash) VALUES ('ana@acme.io', '%s');" % r(64, HEX))
add_neg("sql-hex", "db/seed/021_files.sql", "INSERT INTO files (name, sha256) VALUES ('logo.png', '%s');" % r(64, HEX))
add_neg("basic-value", "docs/api.txt", "Send the header as Basic <base64 of user:password>; the scheme Basic auth:%s is documented in RFC 7617.")
add_neg("value-object", "infra/azuredeploy.parameters.json", '    "adminPassword": { "reference": { "keyVault": { "id": "/subscriptions/x/vaults/kv" }, "secretName": "adminPassword" } },\n    "apiToken": { "value": "[parameters(\'token\')]" }')
S = "https://github.com/spring-projects/spring-security/blob/d449950b36fe9387c9991130ca8e7701c902192a/oauth2/oauth2-client/src/test/java/org/springframework/security/oauth2/client/endpoint/DefaultOAuth2TokenRequestHeadersConverterTests.java"
add_neg("basic-value-slot-names", "oauth2/oauth2-client/src/test/java/org/springframework/security/oauth2/client/endpoint/DefaultOAuth2TokenRequestHeadersConverterTests.java", '\t\t\t.isEqualTo("Basic Y2xpZW50SWQ6Y2xpZW50U2VjcmV0JTNE");', S + "#L61", "Apache-2.0")
S = "https://github.com/usebruno/bruno/blob/675965612ff11b23bc9b6c9541110a287bcb2967/packages/bruno-lang/v2/tests/examples/fixtures/json/complex-with-auth.json"
add_neg("basic-value-escaped-quote", "packages/bruno-lang/v2/tests/examples/fixtures/json/complex-with-auth.json", '            "name": "authorization",\n            "value": "\\"Basic YWRtaW46cGFzc3dvcmQ=\\"",', S + "#L195-L196", "MIT")
S = "https://github.com/bitnami/charts/blob/5165628ae06697f8f68a670bef7739d93c4b7f44/bitnami/redis/templates/scripts-configmap.yaml"
add_neg("escaped-variable", "bitnami/redis/templates/scripts-configmap.yaml", '        echo "{{- if and .Values.auth.enabled .Values.auth.sentinel }}REDISCLI_AUTH="\\$REDIS_PASSWORD" {{ end }} $command ${args[*]}"', S + "#L95", "Apache-2.0")
files["tune25_negative.jsonl"] = "".join(json.dumps(x) + "\n" for x in neg)

if sys.argv[1:] == ["--check"]:
    stale = [n for n, t in files.items() if not os.path.exists(os.path.join(HERE, n)) or open(os.path.join(HERE, n), encoding="utf-8").read() != t]
    print("stale: %s (run make_tune25.py)" % ", ".join(stale) if stale else "the tune25 files are up to date")
    sys.exit(1 if stale else 0)
for n, t in files.items():
    with open(os.path.join(HERE, n), "w", encoding="utf-8") as f:
        f.write(t)
print(len(rows), len(neg))
