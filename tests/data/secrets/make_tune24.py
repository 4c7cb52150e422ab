#!/usr/bin/env python3
"""Writes tune24_positive.jsonl and tune24_negative.jsonl: cases written by the
session-24 rule writer (sec24) after reading heldout5's misses and false
alarms, each class with more positives in other files and shapes, and near
misses of the new rules and readings (two real lines, with source and
licence). In-sample by design. Values are random from a fixed seed, split by
"<<>>" (removed when the corpus is loaded).

Run: python3 tests/data/secrets/make_tune24.py   (--check: exit 1 unless the
committed files are what it writes; a test)
"""
import json, os, random, string, sys

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(2024120724)
AL = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
def r(n, a=AL): return "".join(rng.choice(a) for _ in range(n))
def sp(v, k=4): return v[:k] + "<<>>" + v[k:]
def uuid(): return "-".join(r(n, HEX) for n in (8, 4, 4, 4, 12))
def pw(): # chosen-looking password: letters, digit, symbol
    return r(3, string.ascii_uppercase) + rng.choice("!#%&@^*") + r(4, string.ascii_lowercase) + r(2, string.digits) + r(2, string.ascii_letters)
rows = []
def add(cls, path, text):
    rows.append({"id": "t24p%03d" % (len(rows) + 1), "category": cls, "source": "written by sec24 after " + cls, "path": path, "text": text})
C = "s5p019 (an SDK client given its credentials as arguments, over lines)"
add(C, "app/notify.py", 'from twilio.rest import Client\n\nclient = Client(\n    "%s",\n    "%s",\n)\n' % (sp("AC" + r(32, HEX)), sp(r(32, HEX))))
add(C, "Services/SmsSender.cs", 'public static void Configure()\n{\n    TwilioClient.Init("%s", "%s");\n}' % (sp("AC" + r(32, HEX)), sp(r(32, HEX))))
add(C, "src/main/java/acme/http/BuildClient.java", 'String auth = Credentials.basic(\n    "svc-build",\n    "%s");\nrequest = request.newBuilder().header("Authorization", auth).build();' % sp(pw()))
C = "s5p035 (an LLM gateway's key format: OpenRouter, xAI, Langfuse)"
add(C, "config/llm.yaml", 'models:\n  - provider: openrouter\n    model: meta-llama/llama-3.1-70b-instruct\n    key: %s' % sp("sk-or-v1-" + r(64, HEX), 12))
add(C, "cmd/chat/main.go", 'client := openai.NewClient(option.WithAPIKey("%s"), option.WithBaseURL("https://api.x.ai/v1"))' % sp("xai-" + r(80), 8))
add(C, "notebooks/tracing.py", 'from langfuse import Langfuse\n\nlf = Langfuse("pk-lf-%s", "%s", host="https://cloud.langfuse.com")' % (uuid(), sp("sk-lf-" + uuid(), 9)))
C = "s5p057 (a Doppler service token naming its config)"
add(C, "Makefile", 'DOPPLER := %s\n\nrun:\n\tdoppler run --token $(DOPPLER) -- ./server' % sp("dp.st.dev_personal." + r(43), 8))
add(C, "docker-compose.yml", 'services:\n  api:\n    image: acme/api:latest\n    command: doppler run --token %s -- node server.js' % sp("dp.st.stg." + r(44), 8))
add(C, "scripts/run.ps1", '$env:DOPPLER_CONFIG = "prd_eu"\n& doppler run --token "%s" -- dotnet Api.dll' % sp("dp.st.prd_eu." + r(42), 8))
C = "s5p057 (a shell export in a CI file's script)"
add(C, ".gitlab-ci.yml", 'release:\n  stage: deploy\n  script:\n    - export SENTRY_AUTH_TOKEN=%s\n    - sentry-cli releases new "$CI_COMMIT_SHA"' % sp(r(64, HEX)))
add(C, ".github/workflows/release.yml", 'jobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          export NPM_TOKEN=%s\n          npm publish --access public' % sp(r(36)))
add(C, ".circleci/config.yml", 'jobs:\n  deploy:\n    steps:\n      - run:\n          command: export HEROKU_API_KEY=%s && git push heroku main' % sp(uuid()))
C = "s5p075 (a name and a value attribute of Java's XML)"
add(C, "src/main/resources/applicationContext.xml", '<bean id="dataSource" class="org.apache.commons.dbcp2.BasicDataSource">\n  <property name="url" value="jdbc:postgresql://db:5432/shop"/>\n  <property name="username" value="shop"/>\n  <property name="password" value="%s"/>\n</bean>' % sp(pw()))
add(C, "build.xml", '<project name="deploy" default="upload">\n  <property name="deploy.user" value="release"/>\n  <property name="deploy.password" value="%s"/>\n</project>' % sp(pw()))
add(C, "src/main/resources/mail-context.xml", '<util:map id="mailProps">\n  <entry key="smtp.host" value="smtp.acme.io"/>\n  <entry key="smtp.password" value="%s"/>\n</util:map>' % sp(pw()))
C = "s5p077 (an SQL role's password without WITH)"
add(C, "migrations/0042_reporting_role.sql", "-- rotate the reporting login\nALTER ROLE reporting PASSWORD '%s';" % sp(pw()))
add(C, "redshift/users.sql", "CREATE USER etl_loader PASSWORD '%s' CREATEDB;\nGRANT USAGE ON SCHEMA staging TO etl_loader;" % sp(pw()))
add(C, "alembic/versions/3f1c2a_reporting.py", 'def upgrade():\n    op.execute("CREATE ROLE analytics WITH LOGIN PASSWORD \'%s\'")' % sp(pw()))
C = "session 23's report (SQL seed rows over lines)"
add(C, "db/seed/api_clients.sql", "INSERT INTO api_clients (name, client_secret)\nVALUES ('billing', '%s');" % sp(r(32)))
add(C, "db/seed/002_tokens.sql", "INSERT INTO service_tokens (service, token) VALUES\n  ('crm', '%s'),\n  ('erp', '%s');" % (sp(r(32)), sp(r(32))))
add(C, "seeds/integrations.sql", "INSERT INTO integrations (id, provider, api_key)\nVALUES\n  (1, 'mailer', '%s');" % sp(r(40)))
C = "session 23's report (a name field and a value field on two lines: Bruno, Kubernetes)"
add(C, "deploy/k8s/api.yaml", 'spec:\n  containers:\n    - name: api\n      env:\n        - name: DB_PASSWORD\n          value: "%s"' % sp(pw()))
add(C, "collections/orders/Get order.bru", 'get {\n  url: {{baseUrl}}/orders/42\n}\n\nauth:apikey {\n  key: X-API-Key\n  value: %s\n  placement: header\n}' % sp(r(32)))
add(C, "charts/app/values.yaml", 'extraEnv:\n  - name: SLACK_SIGNING_SECRET\n    value: %s' % sp(r(32, HEX)))
import base64
LOW = string.ascii_lowercase + string.digits
C = "s5p030, s5p042, s5p058, s5p060, s5p064 (heldout5 half B, read after its score: newer vendor key families)"
add(C, "otel-collector.yaml", 'exporters:\n  otlp:\n    endpoint: api.honeycomb.io:443\n    headers:\n      x-honeycomb-team: %s' % sp("hcaik_" + r(58, LOW), 8))
add(C, "app/db.py", 'supabase = create_client(SUPABASE_URL, "%s")' % sp("sb_secret_" + r(31, AL + "_-"), 8))
add(C, "src/flags.js", "const ld = LaunchDarkly.init('%s');" % sp("sdk-" + uuid(), 6))
add(C, "config/flags.py", 'flagsmith = Flagsmith(environment_key="%s")' % sp("ser." + r(22), 6))
add(C, "push/send.sh", 'curl -s https://api.onesignal.com/notifications -H "Authorization: Key %s" -d @payload.json' % sp("os_v2_app_" + r(100, "abcdefghijklmnopqrstuvwxyz234567"), 10))
C = "s5p098 (heldout5 half B, read after its score: an encoded value in a name and value pair)"
def b64(u): return base64.b64encode(u.encode()).decode()
add(C, "postman/partner.postman_collection.json", '{"key": "Authorization", "value": "Basic %s", "type": "text"}' % sp(b64("partner-api:" + pw())))
add(C, "insomnia/partner.yaml", 'headers:\n  - name: Authorization\n    value: Basic %s' % sp(b64("svc-sync:" + pw())))
add(C, "captures/login.har", '            {\n              "name": "Authorization",\n              "value": "Basic %s"\n            }' % sp(b64("ops:" + pw())))

neg = []
def add_neg(cat, path, text, source="written by sec24: a near miss of a session 24 rule or reading", licence=None):
    r = {"id": "t24n%03d" % (len(neg) + 1), "category": cat, "source": source, "path": path, "text": text}
    if licence: r["licence"] = licence
    neg.append(r)
add_neg("call-over-lines", "app/notify.py", 'client = Client(\n    os.environ["TWILIO_ACCOUNT_SID"],\n    os.environ["TWILIO_AUTH_TOKEN"],\n)')
add_neg("call-over-lines", "src/report.py", 'logger.info(\n    "uploaded %s of %s files to %s",\n    done,\n    total,\n    bucket,\n)')
add_neg("call-over-lines", "web/src/api.ts", 'const res = await fetch(\n  `${base}/v1/orders/${id}`,\n  { headers: { Authorization: `Bearer ${token}` } },\n);')
add_neg("xml-name-value", "src/main/resources/applicationContext.xml", '<property name="password" value="${jdbc.password}"/>')
add_neg("xml-name-value", "src/main/resources/META-INF/persistence.xml", '<property name="jakarta.persistence.jdbc.password" value=""/>\n<property name="hibernate.hbm2ddl.auto" value="validate"/>')
add_neg("xml-name-value", "conf/web.xml", '<param name="tokenHeaderName" value="X-Request-Token"/>')
add_neg("sql-role", "db/roles.sql", "ALTER ROLE reporting PASSWORD NULL;\nCREATE ROLE app LOGIN PASSWORD :'app_password';")
add_neg("sql-rows", "db/seed/api_clients.sql", "INSERT INTO api_clients (name, client_secret)\nVALUES ('billing', :'billing_secret');")
add_neg("sql-rows", "db/seed/users.sql", "INSERT INTO users (id, email, password_hash) VALUES\n  (1, 'ana@acme.io', '$2b$12$C6UzMDM.H6dfI/f/IKcEeO5fW1Ln7YdhG6zJ8vY5vN0aQfU9g6xW2'),\n  (2, 'bo@acme.io', '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW');")
add_neg("sql-rows", "db/seed/settings.sql", "INSERT INTO settings (key, value) VALUES\n  ('token_ttl_seconds', '3600'),\n  ('session_cookie_name', 'acme_session_identifier');")
add_neg("name-value-lines", "deploy/k8s/api.yaml", '      env:\n        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: api-db\n              key: password\n        - name: LOG_LEVEL\n          value: debug')
add_neg("name-value-lines", "charts/app/templates/deployment.yaml", '            - name: API_TOKEN\n              value: {{ .Values.apiToken | quote }}')
add_neg("name-value-lines", "collections/orders/Get order.bru", 'auth:apikey {\n  key: X-API-Key\n  value: {{apiKey}}\n  placement: header\n}')
add_neg("ci-export", ".github/workflows/release.yml", '      - run: |\n          export NPM_TOKEN=${{ secrets.NPM_TOKEN }}\n          export SENTRY_AUTH_TOKEN="$(cat /run/secrets/sentry)"\n          npm publish')
add_neg("placeholder", "config/app.yaml", 'auth:\n  token: "ThisIsNotARealToken"\n  secret: "MySuperSecretPassword"')
S = "https://github.com/supabase/cli/blob/1d1e7191268e068fe9cb6aba524d1c619a9c727b/packages/config/testdata/legacy-config.toml"
add_neg("env-function-reference", "packages/config/testdata/legacy-config.toml", 'secret = "env(HCAPTCHA_SECRET)"', S + "#L205", "MIT")
add_neg("env-function-reference", "packages/config/testdata/legacy-config.toml", 'secret = "env(AZURE_SECRET)"', S + "#L317", "MIT")
files = {"tune24_positive.jsonl": "".join(json.dumps(x) + "\n" for x in rows),
         "tune24_negative.jsonl": "".join(json.dumps(x) + "\n" for x in neg)}
if sys.argv[1:] == ["--check"]:
    stale = [n for n, t in files.items() if open(os.path.join(HERE, n), encoding="utf-8").read() != t]
    print("stale: %s (run make_tune24.py)" % ", ".join(stale) if stale else "the tune24 files are up to date")
    sys.exit(1 if stale else 0)
for n, t in files.items():
    with open(os.path.join(HERE, n), "w", encoding="utf-8") as f:
        f.write(t)
print(len(rows), len(neg))
