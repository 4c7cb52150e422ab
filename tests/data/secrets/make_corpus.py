#!/usr/bin/env python3
"""Writes the secrets corpus (positive.jsonl, negative.jsonl): fake but
format-valid credentials in realistic file contexts, and realistic look-alikes
that are not credentials.

Positives cover
- every rule of gitleaks' config/gitleaks.toml (one case per rule; the value
  generated from the rule's own regex and the line checked against it), except
  the public identifiers listed in PUBLIC (client ids, publishable keys) and
  binary PKCS#12 files;
- every rule of secretlint 13's @secretlint/secretlint-rule-preset-recommend;
- the categories issue 17 says were missed: private keys in source-code string
  literals and YAML block scalars, passwords in connection strings and URLs in
  configuration files, container-registry auth entries.
Negatives: placeholders, environment lookups, hashes, UUIDs, digests,
integrity strings, public keys and certificates, documented example keys,
connection strings without a password.

Values are random (fixed seed) and stored split by the marker "<<>>" after
their first few characters (removed when loaded) so the files hold no literal
token that a push-protection scanner would match.

Run: python3 make_corpus.py GITLEAKS_TOML   (gitleaks commit b58d3f10, 2026-07-22)
     python3 make_corpus.py --appended        (only the red17 and secrets18 cases, appended;
                                               --red17 is the same)
"""
import base64
import json
import math
import os
import random
import re
import string
import sys
import tomllib
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from regen import generate  # noqa: E402

rng = random.Random(20261205)
HERE = os.path.dirname(os.path.abspath(__file__))
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"

# Public by design (sent to browsers or in authorize URLs): not secrets.
PUBLIC = {"adobe-client-id", "asana-client-id", "bitbucket-client-id", "discord-client-id", "linkedin-client-id",
          "looker-client-id", "messagebird-client-id", "plaid-client-id", "sendbird-access-id",
          "sumologic-access-id", "new-relic-user-api-id", "flutterwave-public-key", "lob-pub-api-key",
          "mailgun-pub-key", "new-relic-browser-api-token"}
SKIP = {"pkcs12-file": "binary .p12 files are not diff text"}


def entropy(s):
    c = Counter(s)
    return -sum(n / len(s) * math.log2(n / len(s)) for n in c.values()) if s else 0.0


def split(value, at=4):
    return value[:at] + "<<>>" + value[at:] if len(value) > at + 4 else value


def rand(n, alphabet=ALNUM):
    return "".join(rng.choice(alphabet) for _ in range(n))


def to_python(rx):
    """gitleaks (Go RE2) syntax -> Python re, and whether it ignores case."""
    ignore = "(?i)" in rx
    rx = rx.replace("(?i)", "").replace("\\z", "\\Z").replace("[[:alnum:]]", "[A-Za-z0-9]")
    rx = rx.replace("(?s:.)", "[\\s\\S]")
    return rx, ignore


def secret_group(r, compiled):
    if r.get("secretGroup"):
        return r["secretGroup"]
    return 1 if compiled.groups else 0


# Names code gives such values, after the kind in the rule's id.
NAMES = {"api-key": "API_KEY", "api-token": "API_TOKEN", "access-token": "ACCESS_TOKEN", "secret-key": "SECRET_KEY",
         "access-key": "ACCESS_KEY", "signing-key": "SIGNING_KEY", "encryption-key": "ENCRYPTION_KEY",
         "license-key": "LICENSE_KEY", "insert-key": "INSERT_KEY", "client-secret": "CLIENT_SECRET",
         "token": "TOKEN", "secret": "SECRET", "key": "API_KEY", "pat": "TOKEN", "password": "PASSWORD"}

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def crc_token(prefix, length=36):
    """A GitHub/npm-style token: random part plus its CRC-32 in base62."""
    import zlib
    body = rand(length - 6)
    n = zlib.crc32(body.encode()) & 0xFFFFFFFF
    digits = ""
    while n:
        n, r = divmod(n, 62)
        digits = B62[r] + digits
    return prefix + body + digits.rjust(6, "0")


def jwt_token():
    head = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).decode().rstrip("=")
    body = base64.urlsafe_b64encode(json.dumps({"sub": rand(10), "iat": 1767225600}).encode()).decode().rstrip("=")
    return f"{head}.{body}.{rand(43, ALNUM + '-_')}"


# Formats whose gitleaks regex is looser than the real thing (checksums,
# fixed separators): the real format, which the rule also matches.
REAL = {
    "github-pat": lambda: crc_token("ghp_"), "github-oauth": lambda: crc_token("gho_"),
    "github-app-token": lambda: crc_token(rng.choice(["ghu_", "ghs_"])),
    "github-refresh-token": lambda: crc_token("ghr_"), "npm-access-token": lambda: crc_token("npm_"),
    "github-fine-grained-pat": lambda: "github_pat_" + rand(22) + "_" + rand(59),
    "jwt": jwt_token,
    "sendgrid-api-token": lambda: "SG." + rand(22, ALNUM + "-_") + "." + rand(43, ALNUM + "-_"),
}


def var_name(rule_id, keyword):
    if re.fullmatch(r"[A-Z0-9_]+", keyword):
        return keyword  # already an environment variable's name
    kind = next((v for k, v in NAMES.items() if rule_id.endswith(k)), "TOKEN")
    vendor = re.sub(r"[^A-Za-z0-9]+", "_", keyword).strip("_").upper()
    return f"{vendor}_{kind}"


def assignment_keyword(regex):
    """The vendor word a keyword-style gitleaks rule expects before '='."""
    m = re.search(r"\(\?:([A-Za-z0-9_.|-]+)\)\(\?:\[ \\t\\w\.-\]", regex)
    return m.group(1).split("|")[0] if m else None


# (path, line template): {name} a variable name, {v} the value.
TEMPLATES = [
    ("config/settings.py", '{name} = "{v}"'),
    ("deploy/.env", "{name}={v}"),
    ("src/client.js", "const {lname} = '{v}';"),
    ("config/app.yaml", "{lname}: {v}"),
    ("config/credentials.json", '  "{lname}": "{v}",'),
    ("src/main/resources/application.properties", "{ldot}={v}"),
    ("infra/main.tf", '  {lname} = "{v}"'),
    ("cmd/server/main.go", '\t{camel} := "{v}"'),
]


# For formats recognisable by their prefix: contexts whose names do not say
# "secret", so a case is found by its format, not by a generic rule.
PLAIN = [
    ("src/client.py", 'client = Client("{v}")'),
    ("scripts/call.sh", "./tool --auth {v} --region eu"),
    ("src/api.js", "fetch(url, {{ headers: {{ 'X-Auth': '{v}' }} }});"),
    ("config/app.yaml", "  value: {v}"),
    ("src/Service.java", '    Service svc = new Service("{v}");'),
    ("config/hooks.json", '  "endpoint_auth": "{v}",'),
]


def render(template, name, value):
    lname = name.lower()
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), lname)
    return template.format(name=name, lname=lname, ldot=lname.replace("_", "."), camel=camel, v=value)


pos, neg = [], []


def P(source, category, path, text, value):
    pos.append({"id": f"s{len(pos) + 1:03d}", "source": source, "category": category, "path": path,
                "text": text.replace(value, split(value)) if value else text})


def N(source, path, text):
    neg.append({"id": f"n{len(neg) + 1:03d}", "source": source, "path": path, "text": text})


# ------------------------------------------------------------------ gitleaks
def gitleaks_case(r, k):
    rx, ignore = to_python(r["regex"])
    compiled = re.compile(rx, re.I if ignore else 0)
    group = secret_group(r, compiled)
    keyword_style = "(?:=|>|:{1,3}=" in r["regex"]
    keyword = assignment_keyword(r["regex"]) or (r.get("keywords") or [r["id"].split("-")[0]])[0]
    for attempt in range(200):
        if r["id"] in REAL:
            value = REAL[r["id"]]()
        else:
            full = generate(rx, rng)
            m = compiled.search(full)
            if not m or not m.group(group):
                continue
            value = m.group(group).strip("\"'` ")
        if r.get("entropy") and entropy(value) < r["entropy"]:
            continue
        if any(w in value.lower() for w in ("example", "xxxx", "fake", "dummy", "sample")):
            continue
        path, template = (TEMPLATES if keyword_style else PLAIN)[(k + attempt) % len(TEMPLATES if keyword_style else PLAIN)]
        name = var_name(r["id"], keyword) if keyword_style else ""
        line = render(template, name, value)
        lm = compiled.search(line)
        if lm and value in (lm.group(group) or ""):
            return path, line, value
    return None


def gitleaks(path):
    rules = tomllib.load(open(path, "rb"))["rules"]
    missed = []
    special = {"private-key", "generic-api-key", "curl-auth-header", "curl-auth-user", "kubernetes-secret-yaml",
               "jwt-base64", "freemius-secret-key", "nuget-config-password", "sidekiq-sensitive-url",
               "microsoft-teams-webhook", "sonar-api-token"}
    for k, r in enumerate(rules):
        rid = r["id"]
        if rid in PUBLIC or rid in SKIP or rid in special:
            continue
        got = gitleaks_case(r, k)
        if not got:
            missed.append(rid)
            continue
        p, line, value = got
        P(f"gitleaks:{rid}", "vendor", p, line, value)
    # The rules whose regex is context, not a format.
    v = rand(40)
    P("gitleaks:generic-api-key", "generic", "src/billing/client.py", f'BILLING_API_KEY = "{v}"', v)
    v = rand(32)
    P("gitleaks:curl-auth-header", "generic", "scripts/deploy.sh",
      f'curl -s -H "Authorization: Bearer {v}" https://api.internal.example.org/v1/deploy', v)
    v = rand(14)
    P("gitleaks:curl-auth-user", "generic", "scripts/backup.sh",
      f"curl -u backup:{v} https://files.internal.example.org/upload", v)
    v = base64.b64encode(rand(24).encode()).decode()
    P("gitleaks:kubernetes-secret-yaml", "generic", "k8s/db-secret.yaml",
      f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: {v}", v)
    claims = base64.b64encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()).decode().rstrip("=")
    body = base64.b64encode(json.dumps({"sub": rand(8), "exp": 1999999999}).encode()).decode().rstrip("=")
    jwt = f"{claims}.{body}.{rand(43, ALNUM + '-_')}"
    v = base64.b64encode(jwt.encode()).decode()
    P("gitleaks:jwt-base64", "generic", "config/session.yaml", f"session_token_b64: {v}", v)
    key = private_key("RSA PRIVATE KEY", "MIIEowIBAAKCAQEA")
    P("gitleaks:private-key", "private-key", "certs/server.key", key, "")
    v = "sk_" + rand(29)
    P("gitleaks:freemius-secret-key", "vendor", "wp-content/plugins/shop/freemius.php",
      f"  'secret_key' => '{v}',", v)
    v = rand(16, ALNUM + "!#%")
    P("gitleaks:nuget-config-password", "vendor", "NuGet.config",
      f'      <add key="ClearTextPassword" value="{v}" />', v)
    h = "0123456789abcdef"
    v = rand(8, h) + ":" + rand(8, h)
    P("gitleaks:sidekiq-sensitive-url", "url-credentials", "Gemfile", f'source "https://{v}@gems.contribsys.com/" do', v)
    guid = lambda: f"{rand(8, h)}-{rand(4, h)}-{rand(4, h)}-{rand(4, h)}-{rand(12, h)}"
    v = f"https://acme.webhook.office.com/webhookb2/{guid()}@{guid()}/IncomingWebhook/{rand(32, h)}/{guid()}"
    P("gitleaks:microsoft-teams-webhook", "vendor", "alerts/teams.py", f'TEAMS_WEBHOOK = "{v}"', v)
    v = "squ_" + rand(40, "abcdefghijklmnopqrstuvwxyz0123456789")
    P("gitleaks:sonar-api-token", "vendor", ".github/workflows/sonar.yml", f"          SONAR_TOKEN: {v}", v)
    return missed


# ----------------------------------------------------------------- secretlint
def secretlint():
    h = "0123456789abcdef"
    formats = {
        "aws": ("AKIA" + rand(16, string.ascii_uppercase + "234567"), "config/aws.py", 'AWS_ACCESS_KEY_ID = "{v}"'),
        "gcp": (None, None, None),  # service-account JSON below
        "npm": (crc_token("npm_"), ".npmrc", "//registry.npmjs.org/:_authToken={v}"),
        "slack": ("xoxb-" + rand(12, string.digits) + "-" + rand(12, string.digits) + "-" + rand(24),
                  "bot/slack.py", 'SLACK_BOT_TOKEN = "{v}"'),
        "sendgrid": ("SG." + rand(22, ALNUM + "-_") + "." + rand(43, ALNUM + "-_"), "mail/send.js",
                     "const SENDGRID_KEY = '{v}';"),
        "shopify": ("shpat_" + rand(32, h), "shop/.env", "SHOPIFY_ACCESS_TOKEN={v}"),
        "stripe": ("sk_live_" + rand(24), "pay/stripe.rb", 'Stripe.api_key = "{v}"'),
        "github": ("github_pat_" + rand(22) + "_" + rand(59), "ci/release.sh", "export GH_TOKEN={v}"),
        "gitlab": ("glpat-" + rand(20, ALNUM + "-_"), "ci/mirror.sh", "git push https://oauth2:{v}@gitlab.com/acme/app.git"),
        "grafana": ("glc_" + rand(60, B64), "monitoring/agent.yaml", "  api_key: {v}"),
        "openai": ("sk-proj-" + rand(74, ALNUM + "-_") + "T3BlbkFJ" + rand(74, ALNUM + "-_"), "ai/client.py",
                   'client = OpenAI(api_key="{v}")'),
        "anthropic": ("sk-ant-api03-" + rand(93, ALNUM + "-_") + "AA", "ai/claude.ts",
                      "const anthropic = new Anthropic({{ apiKey: '{v}' }});"),
        "groq": ("gsk_" + rand(52), "ai/groq.py", 'GROQ_API_KEY = "{v}"'),
        "huggingface": ("hf_" + rand(34, string.ascii_letters), "ml/download.py", 'login(token="{v}")'),
        "linear": ("lin_api_" + rand(40), "tools/linear.ts", "const key = '{v}';"),
        "notion": ("ntn_" + rand(11, string.digits) + rand(35), "tools/notion.py", 'notion = Client(auth="{v}")'),
        "1password": ("ops_eyJ" + rand(240, B64) + "fQ==", "ops/.env", "OP_SERVICE_ACCOUNT_TOKEN={v}"),
        "hashicorp-vault": ("hvs." + rand(95, ALNUM + "-_"), "ops/vault.hcl", 'token = "{v}"'),
        "vercel": ("vcp_" + rand(40), "web/.env.production", "VERCEL_TOKEN={v}"),
        "databricks": ("dapi" + rand(32, h), "jobs/run.py", 'DATABRICKS_TOKEN = "{v}"'),
        "docker": ("dckr_pat_" + rand(27, ALNUM + "-_"), ".github/workflows/push.yml",
                   "        run: echo {v} | docker login -u acme --password-stdin"),
        "figma": ("figd_" + rand(40, ALNUM + "-_"), "design/sync.js", "headers: {{ 'X-Figma-Token': '{v}' }},"),
        "cloudflare": ("cfut_" + rand(40) + rand(8, h), "infra/cloudflare.tf", 'api_token = "{v}"'),
        "tailscale": ("tskey-auth-" + rand(12) + "CNTRL-" + rand(32), "infra/tailscale.sh", "tailscale up --authkey={v}"),
    }
    for rule, (v, path, template) in formats.items():
        if v:
            P(f"secretlint:{rule}", "vendor", path, template.format(v=v), v)
    pk_id = rand(40, h)
    P("secretlint:gcp", "vendor", "keys/service-account.json",
      '{\n  "type": "service_account",\n  "project_id": "acme-prod",\n  "private_key_id": "%s",\n'
      '  "client_email": "ci@acme-prod.iam.gserviceaccount.com"\n}' % pk_id, pk_id)
    pw = rand(16)
    P("secretlint:basicauth", "url-credentials", "scripts/fetch.sh", f"wget https://deploy:{pw}@artifacts.acme.io/app.tgz", pw)
    pw = rand(14)
    P("secretlint:database-connection-string", "connection-string", "config/database.yml",
      f"  url: mysql://app:{pw}@db.internal:3306/shop", pw)
    P("secretlint:privatekey", "private-key", "deploy/id_ed25519",
      private_key("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"), "")


# ------------------------------------------------------ issue 17 categories
def private_key(kind, der_prefix, lines=12):
    body = der_prefix + rand(64 * lines - len(der_prefix), B64)
    rows = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {split(kind, 6)}-----"] + rows + [f"-----END {kind}-----"])


def key_rows(kind, der_prefix, lines=8):
    return private_key(kind, der_prefix, lines).split("\n")


def issue_categories():
    rsa, ec, p8, ossh = ("RSA PRIVATE KEY", "MIIEpAIBAAKCAQEA"), ("EC PRIVATE KEY", "MHcCAQEEI"), \
        ("PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), ("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAA")
    # Private keys in source-code string literals.
    r = key_rows(*rsa)
    P("issue-17", "key-in-string", "src/auth/keys.py", 'PRIVATE_KEY = "' + "\\n".join(r) + '\\n"', "")
    r = key_rows(*p8)
    P("issue-17", "key-in-string", "src/jwt.js", "const signingKey = `" + "\n".join(r) + "`;", "")
    r = key_rows(*ec)
    P("issue-17", "key-in-string", "internal/tls/key.go", "var serverKey = []byte(`" + "\n".join(r) + "`)", "")
    r = key_rows(*rsa)
    P("issue-17", "key-in-string", "src/main/java/com/acme/Keys.java",
      "  static final String KEY =\n" + "\n".join(f'      "{x}\\n" +' for x in r[:-1]) + f'\n      "{r[-1]}\\n";', "")
    r = key_rows(*p8)
    P("issue-17", "key-in-string", "src/Signer.cs", 'private const string Key = @"' + "\n".join(r) + '";', "")
    r = key_rows(*ec)
    P("issue-17", "key-in-string", "lib/signer.rb", "KEY = <<~PEM\n" + "\n".join("  " + x for x in r) + "\nPEM", "")
    r = key_rows(*rsa)
    P("issue-17", "key-in-string", "src/keys.ts", "export const KEY = '" + "\\n".join(r) + "';", "")
    r = key_rows(*ossh)
    P("issue-17", "key-in-string", "tests/../deploy/ssh.py", "DEPLOY_KEY = '''" + "\n".join(r) + "'''", "")
    # Private keys in YAML block scalars.
    for path, key, lead in [("k8s/tls-secret.yaml", rsa, "stringData:\n  tls.key: |"),
                            ("ansible/group_vars/all.yml", ossh, "deploy_ssh_key: |"),
                            ("helm/values.yaml", p8, "signing:\n  privateKey: |-"),
                            (".github/workflows/deploy.yml", ec, "        env:\n          SSH_KEY: >"),
                            ("config/jwt.yaml", rsa, "jwt:\n  private_key: |\n    # rotated yearly")]:
        indent = " " * (len(lead.split("\n")[-1]) - len(lead.split("\n")[-1].lstrip()) + 2)
        P("issue-17", "key-in-yaml-block", path, lead + "\n" + "\n".join(indent + x for x in key_rows(*key)), "")
    # Passwords in connection strings and URLs in configuration files.
    conns = [
        ("config/database.yml", "  url: postgres://app:{p}@db.prod.internal:5432/app"),
        (".env", "DATABASE_URL=postgresql://billing:{p}@10.0.3.7/billing?sslmode=require"),
        ("config/mongo.json", '  "uri": "mongodb+srv://svc:{p}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true"'),
        ("docker-compose.yml", "      - REDIS_URL=redis://:{p}@redis:6379/0"),
        ("config/queue.ini", "broker_url = amqp://worker:{p}@rabbit.internal:5672/prod"),
        ("src/main/resources/application.yml", "    url: jdbc:mysql://db:3306/shop?user=shop&password={p}&useSSL=true"),
        ("appsettings.json", '    "Default": "Server=tcp:acme.database.windows.net,1433;Database=app;User ID=app;Password={p};Encrypt=True;"'),
        ("config/odbc.ini", "ConnectionString=Driver={{ODBC Driver 18}};Server=db;Uid=report;Pwd={p};"),
        ("settings.py", "DATABASES = {{'default': dj_database_url.parse('mysql://root:{p}@127.0.0.1:3306/site')}}"),
        ("config/sentry.properties", "sentry.dsn=https://{h}:{p}@sentry.acme.io/12"),
        ("deploy/values.yaml", "  elasticsearchUrl: https://elastic:{p}@search.acme.io:9200"),
        (".gitmodules", "\turl = https://ci-bot:{p}@git.acme.io/platform/shared.git"),
        ("pip.conf", "index-url = https://pypi-user:{p}@pypi.acme.io/simple"),
        ("config/ftp.cfg", "target = ftp://uploader:{p}@ftp.acme.io/incoming"),
        ("config/smtp.yaml", "  dsn: smtp://mailer:{p}@smtp.mailgun.org:587"),
        ("Dockerfile", "ENV DB_URL=postgres://app:{p}@db:5432/app"),
        ("config/kafka.properties", 'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="svc" password="{p}";'),
        ("src/db.js", "const pool = new Pool({{ connectionString: 'postgres://api:{p}@pg.internal/api' }});"),
        ("config/ldap.yml", "  bind_password: {p}"),
        ("terraform/rds.tf", '  master_password = "{p}"'),
    ]
    for path, template in conns:
        p = rand(rng.randint(12, 20), ALNUM + "!#%*")
        P("issue-17", "connection-string", path, template.format(p=p, h=rand(32, "0123456789abcdef")), p)
    # Container-registry auth entries.
    for host in ("ghcr.io", "https://index.docker.io/v1/", "registry.gitlab.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"):
        auth = base64.b64encode(f"ci-bot:{rand(24)}".encode()).decode()
        P("issue-17", "registry-auth", ".docker/config.json",
          '{\n  "auths": {\n    "%s": {\n      "auth": "%s"\n    }\n  }\n}' % (host, auth), auth)
    auth = base64.b64encode(f"deploy:{rand(20)}".encode()).decode()
    P("issue-17", "registry-auth", "k8s/.dockercfg", '{"quay.io": {"auth": "%s", "email": ""}}' % auth, auth)
    cfg = json.dumps({"auths": {"ghcr.io": {"auth": base64.b64encode(f"bot:{rand(30)}".encode()).decode()}}})
    v = base64.b64encode(cfg.encode()).decode()
    P("issue-17", "registry-auth", "k8s/pull-secret.yaml",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n"
      f"  .dockerconfigjson: {v}", v)


# ----------------------------------------------------------------- negatives
def negatives():
    h = "0123456789abcdef"
    ph = ["<your-api-key>", "${API_TOKEN}", "{{ .Values.token }}", "changeme", "xxxxxxxxxxxxxxxxxxxxxxxx",
          "REPLACE_ME", "your_token_here", "%(secret)s", "$SECRET_KEY", "os.environ['TOKEN']", "<redacted>",
          "***", "TODO", "null", "example-token-value"]
    for i, p in enumerate(ph):
        path, template = TEMPLATES[i % len(TEMPLATES)]
        N("placeholder", path, render(template, "SERVICE_API_TOKEN", p))
    for path, line in [("app/settings.py", 'SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]'),
                       ("src/config.js", "const token = process.env.GITHUB_TOKEN;"),
                       (".github/workflows/ci.yml", "          token: ${{ secrets.NPM_TOKEN }}"),
                       ("deploy/app.yaml", "        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: db\n              key: password"),
                       ("config/settings.rb", 'API_KEY = ENV.fetch("API_KEY")'),
                       ("main.go", 'token := os.Getenv("SLACK_TOKEN")'),
                       ("infra/main.tf", '  password = var.db_password'),
                       ("config/vault.yaml", "  password: vault:secret/data/db#password")]:
        N("environment lookup", path, line)
    for i in range(10):
        N("hash", "package-lock.json", f'      "integrity": "sha512-{base64.b64encode(rand(64).encode()).decode()[:86]}=="')
        N("hash", "go.sum", f"github.com/acme/lib{i} v1.{i}.0 h1:{base64.b64encode(rand(32).encode()).decode()[:43]}=")
        N("hash", "yarn.lock", f'  checksum: {rand(128, h)}')
        N("hash", "src/cache.py", f'CACHE_VERSION = "{rand(40, h)}"  # git sha of the schema')
        N("digest", "k8s/deploy.yaml", f"        image: ghcr.io/acme/api@sha256:{rand(64, h)}")
    for i in range(8):
        u = f"{rand(8, h)}-{rand(4, h)}-4{rand(3, h)}-{rng.choice('89ab')}{rand(3, h)}-{rand(12, h)}"
        N("uuid", ["src/ids.py", "config/app.yaml", "db/seed.sql", "src/App.cs"][i % 4],
          [f'TENANT_ID = "{u}"', f"request_id: {u}", f"INSERT INTO orgs (id) VALUES ('{u}');",
           f'var correlationId = Guid.Parse("{u}");'][i % 4])
    for path, line in [("docs/aws.md", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE"),
                       ("docs/aws.md", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                       ("docs/stripe.md", "Use a test key such as sk_test_4eC39HqLyjWDarjtT1zdp7dc while developing."),
                       ("docs/jwt.md", "Paste your token into https://jwt.io to inspect it."),
                       ("README.md", "export OPENAI_API_KEY=sk-...   # your key"),
                       ("README.md", "Set `GITHUB_TOKEN` to a token with `repo` scope."),
                       ("docs/setup.md", "DATABASE_URL=postgres://user:password@localhost:5432/dev")]:
        N("documented example", path, line)
    ssh = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + rand(43, B64) + " deploy@ci"
    N("public key", "deploy/authorized_keys", ssh)
    N("public key", "keys/signing.pub", "-----BEGIN PUBLIC KEY-----\n" + "\n".join(rand(64, B64) for _ in range(6)) + "\n-----END PUBLIC KEY-----")
    N("certificate", "certs/ca.pem", "-----BEGIN CERTIFICATE-----\n" + "\n".join("MIID" + rand(60, B64) for _ in range(8)) + "\n-----END CERTIFICATE-----")
    N("public key", "keys/gpg.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBG" + rand(58, B64) + "\n-----END PGP PUBLIC KEY BLOCK-----")
    for path, line in [("config/database.yml", "  url: postgres://localhost:5432/app_dev"),
                       (".env.example", "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app"),
                       ("docker-compose.yml", "      - REDIS_URL=redis://redis:6379/0"),
                       ("config/app.yaml", "  amqp: amqp://guest:guest@localhost:5672/"),
                       ("README.md", "git clone https://github.com/acme/app.git"),
                       ("config/mongo.json", '  "uri": "mongodb://mongo:27017/test"'),
                       (".gitmodules", "\turl = https://git.acme.io/platform/shared.git"),
                       ("config/app.yaml", "  url: https://user@git.acme.io/repo.git"),
                       (".docker/config.json", '{\n  "auths": {\n    "ghcr.io": {}\n  },\n  "credsStore": "desktop"\n}'),
                       (".docker/config.json", '{\n  "credHelpers": {\n    "123456789012.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"\n  }\n}'),
                       ("k8s/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  password: ${APP_PASSWORD}")]:
        N("no credential", path, line)
    for i in range(12):
        N("identifier", ["src/styles.css", "dist/index.html", "src/routes.ts", "src/i18n.json", "src/api.py",
                         "src/models.go"][i % 6],
          [f".btn-{rand(8, h)} {{ color: red; }}", f'<script src="/assets/main.{rand(20, h)}.js"></script>',
           f"const ROUTE_KEY = 'dashboard_overview_panel_{i}';", f'  "checkout.payment.card_number_label": "Card number",',
           f'TOKEN_ENDPOINT = "https://auth.acme.io/oauth2/v1/token"', f'const tokenType = "Bearer"'][i % 6])
    for i in range(10):
        N("base64 data", "src/assets.js", f"const icon = 'data:image/png;base64,iVBORw0KGgo{rand(120, B64)}';" if i % 2 == 0
          else f'const fixture = "{base64.b64encode(("hello world " * 8).encode()).decode()}";')
    for path, line in [("src/test/resources/app.properties", "spring.datasource.password="),
                       ("config/settings.py", "PASSWORD_MIN_LENGTH = 12"),
                       ("src/auth.py", 'if token_type != "refresh_token":'),
                       ("src/auth.ts", "const passwordField = document.querySelector('#password');"),
                       ("src/api.go", 'const headerAPIKey = "X-API-Key"'),
                       ("src/form.html", '<input type="password" name="password" autocomplete="current-password">'),
                       ("locales/en.yml", '  password_hint: "At least 12 characters, one of them a digit"'),
                       ("docs/api.md", "Authorization: Bearer <token>")]:
        N("secret-named field", path, line)


# ---------------------------------------------- red team 17 (added 2026-12-07)
# Shapes the red17 review got `approve` on (/tmp/red17/REPORT.md groups A and
# B), with near misses beside them. Seeded on their own, after everything
# above, so the older cases keep their values and ids.
def red17_categories():
    global rng
    rng = random.Random(20261207)
    pw = lambda: rand(rng.randint(14, 20), ALNUM + "!#%*")
    generic = [
        ("src/api.ts", 'const apiKey: string = "{p}";'),
        ("app/config.py", '    password: str = "{p}"'),
        ("cmd/sync/main.go", 'const apiToken string = "{p}"'),
        ("internal/db/db.go", 'var password string = "{p}"'),
        ("src/Settings.kt", 'private val clientSecret: String = "{p}"'),
        ("config/db.yaml", "  primary: {{host: db.internal, user: cfgsvc, password: {p}}}"),
        ("docker-compose.yml", "      - POSTGRES_PASSWORD={p}"),
        ("src/main/resources/app.properties", "db.password {p}"),
        ("config/app.properties", "mail.smtp.password: {p}"),
        ("Dockerfile", "ARG DB_PASSWORD={p}"),
        ("Dockerfile", "ENV REDIS_PASS {p}"),
        ("web/.env.production", "DB_PASS={p}"),
        (".env", "ADMIN_PWD={p}"),
        ("scripts/backup.sh", "PGPASSWORD={p} pg_dump -h db.internal -U cfgsvc app > /backup/app.sql"),
        ("scripts/backup.sh", "mysqldump -h legacy.internal -u root -p{p} legacy > /backup/legacy.sql"),
        ("app/settings.py", 'CACHE_URL = "redis://cache.internal:6379/0?password={p}&ssl=true"'),
        (".m2/settings.xml", "      <password>{p}</password>"),
        ("deploy/.pgpass", "db.internal:5432:app:cfgsvc:{p}"),
    ]
    for path, template in generic:
        p = pw()
        P("red17", "generic-shape", path, template.format(p=p), p)
    body = lambda n: "MII" + rand(n, B64)
    P("red17", "key-one-line", "app/tls.py",
      f'TLS_KEY = "-----BEGIN {split("RSA PRIVATE KEY", 6)}----- {body(200)} -----END RSA PRIVATE KEY-----"', "")
    P("red17", "key-one-line", "app/keys.py",
      f'DEPLOY_KEY_LINES = ["-----BEGIN {split("OPENSSH PRIVATE KEY", 6)}-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUA'
      f'{rand(100, B64)}", "-----END OPENSSH PRIVATE KEY-----"]', "")
    P("red17", "key-one-line", "deploy/.env", f'TLS_KEY="-----BEGIN {split("PRIVATE KEY", 6)}-----\\n{body(120)}\\n'
      f'-----END PRIVATE KEY-----"', "")
    P("red17", "key-one-line", "config/keys.yaml", f'signing_keys: ["-----BEGIN {split("EC PRIVATE KEY", 6)}----- '
      f'MHcCAQEEI{rand(150, B64)} -----END EC PRIVATE KEY-----"]', "")
    P("red17", "key-putty", "deploy/ops.ppk",
      "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ops@bastion\nPublic-Lines: 2\n"
      f"AAAAC3NzaC1lZDI1NTE5AAAAI{rand(39, B64)}\n{rand(4, B64)}\nPrivate-Lines: 1\n{rand(64, B64)}\n"
      f"Private-MAC: {rand(64, '0123456789abcdef')}", "")
    u = ALNUM + "-_"
    d = rand(342, u)
    P("red17", "key-jwk", "config/jwks.json",
      f'{{"keys": [{{"kty": "RSA", "kid": "cfgsvc-1", "use": "sig", "alg": "RS256",\n  "n": "{rand(342, u)}",\n'
      f'  "e": "AQAB",\n  "d": "{d}",\n  "p": "{rand(171, u)}",\n  "q": "{rand(171, u)}"}}]}}', d)
    d = rand(43, u)
    P("red17", "key-jwk", "src/jwk.ts",
      f'const jwk = {{ kty: "EC", crv: "P-256", x: "{rand(43, u)}", y: "{rand(43, u)}", d: "{d}" }};', d)


def red17_negatives():
    h = "0123456789abcdef"
    for path, line in [
            # Type annotations without a literal, or with a placeholder.
            ("app/config.py", '    password: str = os.environ["DB_PASSWORD"]'),
            ("src/api.ts", "const apiKey: string = process.env.API_KEY ?? '';"),
            ("internal/db/db.go", 'var password string = os.Getenv("DB_PASSWORD")'),
            ("app/config.py", '    password: Optional[str] = None'),
            ("src/api.ts", 'const apiKey: string = "<your-api-key>";'),
            # YAML flow maps and compose lists with lookups.
            ("config/db.yaml", "  primary: {host: db.internal, user: cfgsvc, password: ${DB_PASSWORD}}"),
            ("docker-compose.yml", "      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD}"),
            ("docker-compose.yml", "      - POSTGRES_PASSWORD_FILE=/run/secrets/db_password"),
            # .properties and Dockerfile names without a value.
            ("src/main/resources/app.properties", "db.password ${DB_PASSWORD}"),
            ("src/main/resources/app.properties", "password.min.length 12"),
            ("Dockerfile", "ARG DB_PASSWORD"),
            ("Dockerfile", "ENV DB_PASSWORD=${DB_PASSWORD}"),
            ("web/.env.production", "DB_PASS=changeme"),
            (".env", "DB_PASS=${DB_PASS}"),
            # Command lines that take the password from elsewhere.
            ("scripts/backup.sh", 'PGPASSWORD="$DB_PASSWORD" pg_dump -h db.internal -U cfgsvc app > /backup/app.sql'),
            ("scripts/backup.sh", "mysql -h db.internal -u root -p shop < schema.sql"),
            ("scripts/backup.sh", 'mysqldump -u root -p"$MYSQL_PWD" legacy > /backup/legacy.sql'),
            ("scripts/build.sh", "mkdir -p /var/lib/app && cp -pr build/ /var/lib/app/current"),
            ("app/settings.py", 'CACHE_URL = f"redis://cache.internal:6379/0?password={os.environ[\'REDIS_PW\']}"'),
            ("app/settings.py", 'CACHE_URL = "redis://cache.internal:6379/0?ssl=true"'),
            (".m2/settings.xml", "      <password>${env.MAVEN_PASSWORD}</password>"),
            ("docs/maven.md", "Put `<password>` in `~/.m2/settings.xml`, never in the POM."),
            ("deploy/.pgpass", "localhost:5432:*:postgres:changeme"),
            ("config/hosts.txt", "db.internal:5432:app:cfgsvc"),
            # Key shapes that are not private keys.
            ("keys/signing.pub", "PUB = \"-----BEGIN PUBLIC KEY----- MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
                                 + rand(60, B64) + ' -----END PUBLIC KEY-----"'),
            ("src/pem.py", 'if text.lstrip().startswith("-----BEGIN RSA PRIVATE KEY-----"):'),
            ("docs/keys.md", "The file starts with `-----BEGIN OPENSSH PRIVATE KEY-----` followed by base64 lines."),
            ("docs/putty.md", "Convert a PuTTY-User-Key-File-3 file with `puttygen key.ppk -O private-openssh`."),
            ("config/jwks.json", '{"keys": [{"kty": "RSA", "kid": "cfgsvc-1", "use": "sig", "alg": "RS256", "n": "'
                                 + rand(342, ALNUM + "-_") + '", "e": "AQAB"}]}'),
            ("src/jwk.ts", f'const jwk = {{ kty: "EC", crv: "P-256", x: "{rand(43, ALNUM + "-_")}", '
                           f'y: "{rand(43, ALNUM + "-_")}" }};'),
            ("src/grid.py", 'layout = {"d": "' + rand(8, h) + '", "kty": 3}'),
            # Written with the rules: a port mapping after an image named mysql.
            ("scripts/dev.sh", "docker run --rm mysql:8 -p3306:3306"),
            (".env", "BYPASS=true_when_running_locally_ok"),
            # From the session's final read: a command and its argument, an
            # OpenVPN option, psql's prompting --password, a docker port.
            ("scripts/deploy.sh", "create_secret my-app-credentials-prod"),
            ("client.conf", "auth-user-pass /etc/openvpn/auth.txt"),
            ("scripts/restore.sh", "psql -U postgres --password my_database_production < dump.sql"),
            ("scripts/dev.sh", "docker run --name mysql -p127.0.0.1:3306:3306 -d mysql:8")]:
        N("red17 near miss", path, line)


# ------------------------------------------- secrets18 (added 2026-12-07)
# The red17 shapes session 17 left approved: secrets hidden by encoding or
# by string concatenation, values on the line after their name (block
# scalars, heredocs, multi-line strings), notebooks' JSON-escaped source and
# .env templates with real values. Seeded on their own, after red17.
def pem(kind="RSA PRIVATE KEY", n=240):
    body = "MII" + rand(n, B64)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n"


def aws_pair():
    return "AKIA" + rand(16, string.ascii_uppercase + "234567"), rand(40, ALNUM + "+/")


def s18_split(encoded):
    # The marker goes inside the encoded form too: the file holds no whole run.
    return split(encoded, 6)


def secrets18_categories():
    global rng
    rng = random.Random(20261208)
    pw = lambda: rand(rng.randint(14, 20), ALNUM + "!#%*")
    b64 = lambda s: base64.b64encode(s.encode()).decode()
    kid, sec = aws_pair()
    P("secrets18", "concatenated", "app/aws.py", f'_KID = "AKIA" + "{split(kid[4:], 4)}"', "")
    t = crc_token("ghp_")
    P("secrets18", "concatenated", "src/config.c", f'static const char *token = "{t[:12]}" "<<>>{t[12:]}";', "")
    t = "sk_live_" + rand(24)
    P("secrets18", "concatenated", "src/billing.php", f"$key = 'sk_live_' . '{split(t[8:])}';", "")
    t = "xoxb-" + rand(11, string.digits) + "-" + rand(12, string.digits) + "-" + rand(24)
    P("secrets18", "concatenated", "src/notify.lua", f'local token = "xoxb-" .. "{split(t[5:])}"', "")
    P("secrets18", "concatenated", "app/notify.py",
      f'HOOK = "https://hooks.slack.com/services/T{rand(10, string.ascii_uppercase + string.digits)}/" \\\n'
      f'       "B{rand(10, string.ascii_uppercase + string.digits)}/{split(rand(24))}"', "")
    key = pem(n=300).splitlines()
    P("secrets18", "concatenated", "app/key.py",
      'KEY = ("-----BEGIN RSA " + "PRIVATE KEY-----\\n"\n'
      + "\n".join(f'       "{split(l) if i == 1 else l}\\n"' for i, l in enumerate(key[1:-1], 1))
      + '\n       "-----END RSA PRIVATE KEY-----\\n")', "")
    kid, sec = aws_pair()
    P("secrets18", "base64", "app/aws.py", f'_BLOB = "{s18_split(b64(kid + ":" + sec))}"', "")
    P("secrets18", "base64", "deploy/secret.yaml",
      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cfgsvc-db\ntype: Opaque\ndata:\n"
      f"  DB_USER: {b64('cfgsvc')}\n  DB_PASS: {s18_split(b64(pw()))}", "")
    P("secrets18", "base64", "deploy/tls.yaml",
      "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n"
      f"  tls.key: {s18_split(b64(pem()))}", "")
    P("secrets18", "base64", "app/client.py",
      f'HEADERS = {{"Authorization": "Basic {s18_split(b64("deploy:" + pw()))}"}}', "")
    t = crc_token("ghp_")
    P("secrets18", "base64url", "app/token.go",
      f'var tokenB64 = "{s18_split(base64.urlsafe_b64encode(("token=" + t).encode()).decode().rstrip("="))}"', "")
    P("secrets18", "hex", "app/gh.py", f'_T = bytes.fromhex("{s18_split(crc_token("ghp_").encode().hex())}").decode()', "")
    t = "sk_live_" + rand(24)
    enc = "".join(c if c.isalnum() else f"%{ord(c):02X}" for c in t)
    P("secrets18", "percent", "app/billing.py",
      f'BILLING_PROXY = "https://billing-proxy.internal/v1/charges?k={s18_split(enc)}"', "")
    t = crc_token("ghp_")
    esc = "".join("\\x%02x" % ord(c) for c in t)
    P("secrets18", "escape-x", "src/keys.js", f'const token = "{s18_split(esc)}";', "")
    t = "sk_live_" + rand(24)
    esc = "".join("\\u%04x" % ord(c) for c in t)
    P("secrets18", "escape-u", "config/app.json", f'{{"stripe": "{s18_split(esc)}"}}', "")
    # Values on the next line.
    p = pw()
    P("secrets18", "next-line", "config/app.yaml", f"database:\n  host: db.internal\n  password: |\n    {p}", p)
    p = pw()
    P("secrets18", "next-line", "config/app.yml", f"smtp:\n  password: >-\n    {p}\n  port: 587", p)
    p = pw()
    P("secrets18", "next-line", "infra/prod.tfvars", f"db_password = <<EOT\n{p}\nEOT", p)
    p = pw()
    P("secrets18", "next-line", "config/app.toml", "[database]\npassword = '''\n" + p + "'''", p)
    p = pw()
    P("secrets18", "next-line", "scripts/setup.sh",
      f"cat > ~/.netrc <<EOF\nmachine api.internal\n  login deploy\n  password {p}\nEOF\nchmod 600 ~/.netrc", p)
    # Notebooks and .env templates.
    p = pw()
    P("secrets18", "notebook", "notebooks/explore.ipynb",
      '{\n "cells": [\n  {\n   "cell_type": "code",\n   "metadata": {},\n   "source": [\n    "import psycopg2\\n",\n'
      f'    "db_password = \\"{p}\\"\\n",\n    "conn = psycopg2.connect(password=db_password)"\n   ]\n  }}\n ]\n}}', p)
    t = "sk_live_" + rand(24)
    P("secrets18", "env-template", ".env.example", f"STRIPE_SECRET_KEY={t}\nDB_PASSWORD=", t)
    # Written with the template rule (below the committed cases, so their ids hold).
    own = random.Random(20261209)  # rng's later draws stay as committed
    p = "".join(own.choice(ALNUM) for _ in range(16))
    P("secrets18", "env-template", ".env.example", f"APP_PORT=8080\nDB_PASSWORD={p}", p)


def secrets18_negatives():
    b64 = lambda s: base64.b64encode(s.encode()).decode()
    h = "0123456789abcdef"
    digest = base64.b64encode(bytes(rng.randrange(256) for _ in range(32))).decode()
    for path, line in [
            # Encodings of what is not a secret.
            ("src/assets.js", "const logo = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ"
                              + rand(80, B64) + "';"),
            ("app/digest.py", f'EXPECTED = base64.b64decode("{digest}")'),
            ("app/digest.py", f'SHA1 = bytes.fromhex("{rand(40, h)}")'),
            ("tests/fixtures.py", f'GREETING = "{b64("Hello, world! This is the greeting the service sends.")}"'),
            ("deploy/config.yaml", f"data:\n  LOG_LEVEL: {b64('info')}\n  FEATURES: {b64('search,export,billing-v2')}"),
            ("app/search.py", 'URL = "https://search.internal/q?text=hello%20world%2C%20again&lang=en%2Dgb"'),
            ("src/term.c", 'printf("\\x1b[31merror:\\x1b[0m %s\\n", msg);'),
            ("src/i18n.json", '{"greeting": "\\u00a1Hola, se\\u00f1or!"}'),
            ("src/api.ts", f'const spanId = "{rand(32, h)}";'),
            # Concatenation of ordinary words.
            ("app/views.py", 'msg = "Hello, " + user.name + "! Your order " + "has shipped."'),
            ("src/help.c", 'puts("usage: tool [options] " "file...");'),
            ("src/view.php", "echo 'Hello' . ' ' . 'World';"),
            ("src/ui.lua", 'local title = "Settings" .. " - " .. "Account"'),
            ("app/urls.py", 'BASE = "https://api.example.com/" \\\n       "v1/users"'),
            ("app/errors.py", 'ERR = ("the configuration file could not be read: "\n       "check its permissions and try again")'),
            # Block scalars, heredocs and multi-line strings without secrets.
            ("config/app.yaml", "service:\n  description: |\n    Handles password resets for the portal.\n    Sends one mail per request."),
            (".github/ci.yml", "steps:\n  - run: |\n      echo building\n      make test"),
            ("config/app.yaml", "database:\n  password: |\n    ${DB_PASSWORD}"),
            ("infra/iam.tf", 'policy = <<EOT\n{"Version": "2012-10-17", "Statement": []}\nEOT'),
            ("infra/prod.tfvars", "db_password = <<EOT\n${var.db_password}\nEOT"),
            ("config/app.toml", "[help]\ntext = '''\nRun the tool with --password-file to read the password.'''"),
            ("scripts/setup.sh", "cat > ~/.netrc <<EOF\nmachine api.internal\n  login deploy\n  password ${API_TOKEN}\nEOF"),
            ("scripts/setup.sh", "cat > /etc/app.conf <<EOF\nport = 8080\nlog_level = info\nEOF"),
            # Notebooks with ordinary code; .env templates with placeholders.
            ("notebooks/plot.ipynb", '{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": [\n    "import pandas as pd\\n",\n'
                                     '    "df = pd.read_csv(\\"data.csv\\")\\n",\n    "df.plot()"\n   ]\n  }\n ]\n}'),
            ("notebooks/db.ipynb", '{"cells": [{"cell_type": "code", "source": ["db_password = os.environ[\\"DB_PASSWORD\\"]\\n"]}]}'),
            (".env.example", "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\nDB_PASSWORD=\nAPI_TOKEN=changeme"),
            (".env.sample", "DB_PASSWORD=your-password-here\nSECRET_KEY=<generate with openssl rand -hex 32>"),
            # Written with the template rule: prose and weak demo values.
            (".env.template", "SESSION_SECRET=please-set-a-long-random-string\nJWT_SECRET=generate-a-random-string-here"),
            (".env.example", "DJANGO_SECRET_KEY=django-insecure-change-me\nADMIN_PASSWORD=supersecretkey123")]:
        N("secrets18 near miss", path, line)


def main():
    if sys.argv[1:] in (["--red17"], ["--appended"]):
        # Rewrites only the red17 and secrets18 cases, without gitleaks' rule file: the
        # older cases are kept as they are (their ids and values are fixed).
        for name, out in (("positive.jsonl", pos), ("negative.jsonl", neg)):
            with open(os.path.join(HERE, name)) as f:
                out.extend(c for c in map(json.loads, f) if not c["source"].startswith(("red17", "secrets18")))
        missed = []
    else:
        missed = gitleaks(sys.argv[1])
        secretlint()
        issue_categories()
        negatives()
    red17_categories()
    red17_negatives()
    secrets18_categories()
    secrets18_negatives()
    with open(os.path.join(HERE, "positive.jsonl"), "w") as f:
        for c in pos:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "negative.jsonl"), "w") as f:
        for c in neg:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"positives {len(pos)}, negatives {len(neg)}; gitleaks rules the generator could not fill: {missed}")


if __name__ == "__main__":
    main()
