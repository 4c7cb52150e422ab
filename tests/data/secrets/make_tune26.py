#!/usr/bin/env python3
"""Writes tune26_positive.jsonl and tune26_negative.jsonl: cases written by the
session-26 rule writer (sec26) after reading heldout7's half A misses and
false alarm (then half B's), each class with three more positives in other
files and shapes, the lead's known gaps (names joined in a template or a
format, CloudFormation ParameterKey/ParameterValue pairs, a join with a
separator), and near misses of the new rules and readings (real lines with
source and licence where a false alarm's class was fixed). In-sample by
design. Values are random from a fixed seed, split by "<<>>" (removed when
the corpus is loaded).

Run: python3 tests/data/secrets/make_tune26.py   (--check: exit 1 unless the
committed files are what it writes; a test)
"""
import base64, json, os, random, string, sys

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(2025120826)
AL = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
SYM = AL + "!#%&*+=^~"
def r(n, a=AL): return "".join(rng.choice(a) for _ in range(n))
def sp(v, k=4): return v[:k] + "<<>>" + v[k:]
def pw():  # chosen-looking password: letters, digit, symbol
    return r(3, string.ascii_uppercase) + rng.choice("!#%&@^*") + r(4, string.ascii_lowercase) + r(2, string.digits) + r(2, string.ascii_letters)
def pwdot():  # a generated password with dots and hyphens inside
    return r(4) + "." + r(6) + "-" + r(5) + rng.choice("!#%") + r(2, string.digits)
def b64(u): return base64.b64encode(u.encode()).decode()
def body(n=4):  # PEM body lines
    return [r(64, AL + "+/") for _ in range(n)]
rows = []
def add(cls, path, text):
    rows.append({"id": "t26p%03d" % (len(rows) + 1), "category": cls, "source": "written by sec26 after " + cls, "path": path, "text": text})

C = "s7p023 (a vendor SDK's credential object built from a literal)"
add(C, "rag/store.py", 'import weaviate\nfrom weaviate.classes.init import Auth\n\nclient = weaviate.connect_to_weaviate_cloud(\n    cluster_url=CLUSTER_URL, auth_credentials=Auth.api_key("%s"))' % sp(r(40)))
add(C, "Services/SearchService.cs", 'var client = new SearchClient(new Uri(endpoint), "products", new AzureKeyCredential("%s"));' % sp(r(52)))
add(C, "internal/search/client.go", 'func newClient(endpoint string) (*azsearch.Client, error) {\n\tcred := azcore.NewKeyCredential("%s")\n\treturn azsearch.NewClientWithKeyCredential(endpoint, cred, nil)\n}' % sp(r(52)))
C = "s7p095 (a secret under a slice or array type: Rust &[u8] = b\"…\")"
add(C, "src/auth.rs", 'static HMAC_KEY: &\'static [u8] = b"%s";' % sp(r(48, HEX)))
add(C, "pkg/hooks/verify.go", 'var webhookSecret []byte = []byte("%s")' % sp(r(40)))
add(C, "Sources/Sync/Keys.swift", 'enum Keys {\n    static let apiSecret: [UInt8] = Array("%s".utf8)\n}' % sp(r(44)))
C = "s7p101 (a generated password kept as `result` in Terraform state or plan)"
add(C, "envs/stage/terraform.tfstate.backup", '        {\n          "attributes": {\n            "id": "none",\n            "length": 32,\n            "result": "%s",\n            "special": true\n          }\n        }' % sp(r(20, SYM) + "7a!"))
add(C, "plans/tfplan.json", '{"resource_changes":[{"address":"random_password.api","type":"random_password","change":{"actions":["create"],"after":{"length":24,"result":"%s","special":true}}}]}' % sp(r(22, SYM) + "3#"))
add(C, "modules/db/terraform.tfstate", '      "module": "module.db",\n      "mode": "managed",\n      "type": "random_string",\n      "name": "admin",\n      "instances": [\n        {\n          "attributes": {\n            "result": "%s"\n          }\n        }\n      ]' % sp(r(30) + "9"))
C = "s7p109 (a user:password in base64 under a name saying Basic auth)"
add(C, "fastlane/Fastfile", 'lane :certs do\n  match(type: "appstore", readonly: true,\n        git_basic_authorization: "%s")\nend' % sp(b64("ios-ci:" + pw() + r(6)), 6))
add(C, ".env", "MATCH_PASSWORD_FILE=/run/secrets/match\nMATCH_GIT_BASIC_AUTHORIZATION=%s\n" % sp(b64("release-bot:" + r(30)), 6))
add(C, "config/upstream.js", "module.exports = {\n  upstream: 'https://reports.acme.io',\n  basicAuth: 'reports:%s',\n};" % sp(pw()))
C = "s7p111 (a quoted password after a command's password flag: sshpass -p '…')"
add(C, "ops/Dockerfile.backup", 'RUN sshpass -p "%s" scp -o StrictHostKeyChecking=no backup@10.1.4.7:/srv/dump.tgz /tmp/' % sp(pw()))
add(C, "Makefile", "db-load:\n\tmysql -u root -p'%s' shop < db/schema.sql" % sp(pw()))
add(C, "ops/cron/cache-save", "*/30 * * * * root redis-cli -h cache01 -a '%s' BGSAVE >/dev/null" % sp(pw()))
C = "s7n079 (a BEGIN line whose body is elided: a key written with its body must still count)"
add(C, "charts/app/values.yaml", "# sshKey: |\n#   -----BEGIN OPENSSH PRIVATE KEY-----\n#   %s\n#   %s\n#   -----END OPENSSH PRIVATE KEY-----" % (sp(body(1)[0]), body(1)[0]))
add(C, "src/keys.js", "const key =\n  '-----BEGIN RSA PRIVATE KEY-----\\n' +\n  '%s\\n' +\n  '%s\\n' +\n  '-----END RSA PRIVATE KEY-----\\n';" % (sp(body(1)[0]), body(1)[0]))
add(C, "deploy/signing.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n%s\n%s\n-----END PGP PRIVATE KEY BLOCK-----" % (sp(body(1)[0]), body(1)[0]))
# read26a: RFC 4880 armor headers other than Version/Comment/Hash (Charset, MessageID).
add(C, "keys/release.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nCharset: UTF-8\n\n%s\n%s\n-----END PGP PRIVATE KEY BLOCK-----" % (sp(body(1)[0]), body(1)[0]))
C = "s7p018 (heldout7 half B, read after its score: ElevenLabs' sk_ and 48 hex)"
add(C, "web/src/tts.ts", 'const eleven = new ElevenLabsClient({ apiKey: "%s" });' % sp("sk_" + r(48, HEX), 6))
add(C, "voice/synth.py", 'client = ElevenLabs(api_key="%s")' % sp("sk_" + r(48, HEX), 6))
add(C, "config/voices.json", '{"provider": "elevenlabs", "auth": ["%s"]}' % sp("sk_" + r(48, HEX), 6))
C = "s7p046 (heldout7 half B, read after its score: an Ably key, app.key:secret)"
def ably(): return r(6) + "." + r(6) + ":" + r(43, AL + "_-")
add(C, "web/src/realtime.js", 'const ably = new Ably.Realtime({ key: "%s" });' % sp(ably(), 8))
add(C, "server/src/main/java/acme/Push.java", 'AblyRest rest = new AblyRest("%s");' % sp(ably(), 8))
add(C, "deploy/realtime.yaml", 'realtime:\n  provider: ably\n  credentials: "%s"' % sp(ably(), 8))
C = "s7p112 (heldout7 half B, read after its score: a live-mode key, live_ and letters and digits)"
add(C, "src/payments.ts", "const mollie = createMollieClient({ apiKey: '%s' });" % sp("live_" + r(30), 7))
add(C, "docs/postman/collection.json", '{"key": "x-partner", "value": "%s", "type": "text"}' % sp("live_" + r(36), 7))
add(C, "api/openapi.yaml", "      parameters:\n        - in: header\n          name: X-Partner\n          example: %s" % sp("prod_" + r(40), 7))
C = "s7p094 (heldout7 half B, read after its score: a signing key handed to a signer or MAC, tests too)"
add(C, "tests/test_webhooks.py", 'sig = hmac.new(b"%s", payload, hashlib.sha256).hexdigest()' % sp(r(40, SYM)))
add(C, "src/main/java/acme/TokenSigner.java", 'private static final Key KEY = new SecretKeySpec("%s".getBytes(StandardCharsets.UTF_8), "HmacSHA256");' % sp(r(44, SYM)))
add(C, "internal/webhook/verify_test.go", 'mac := hmac.New(sha256.New, []byte("%s"))' % sp(r(40, SYM)))
C = "s7p108 (heldout7 half B, read after its score: a password element of a build plugin, storepass/keypass)"
add(C, "android/pom.xml", "<configuration>\n  <keystore>release.jks</keystore>\n  <keystorePassword>%s</keystorePassword>\n</configuration>" % sp(pw()))
add(C, "tools/keytool/pom.xml", "<plugin>\n  <artifactId>keytool-maven-plugin</artifactId>\n  <configuration>\n    <keypass>%s</keypass>\n  </configuration>\n</plugin>" % sp(pw()))
add(C, "conf/server.xml", "<ssl>\n  <trustStorePassword>%s</trustStorePassword>\n</ssl>" % sp(pw()))
C = "s7p126 (heldout7 half B, read after its score: a key handed to a builder's withApiKey, joined from names)"
add(C, "src/main/java/acme/Search.java", 'SearchClient client = SearchClient.builder().withApiKey("%s").build();' % sp(r(32, HEX)))
add(C, "app/src/main/kotlin/acme/Maps.kt", 'val KEY_A = "%s"\nval KEY_B = "%s"\nval maps = MapsClient.Builder().withApiKey(KEY_A + KEY_B).build()' % (sp(r(20, HEX)), r(12, HEX)))
add(C, "lib/geo.js", "const geo = new GeoClient().useToken('%s');" % sp(r(36)))
C = "s7p114 (heldout7 half B, read after its score: a login in a comment whose password holds dots)"
add(C, "scripts/etl.sh", "#!/bin/sh\n# prod creds until vault lands -- user: etl_loader  pass: %s\npsql \"$DATABASE_URL\" -f load.sql" % sp(pwdot()))
add(C, "db/migrate/20250101_backfill.sql", "-- user reporting / password %s (rotate after the backfill)\nUPDATE orders SET archived = true WHERE created_at < '2020-01-01';" % sp(pwdot()))
add(C, "src/legacy/ftp.go", "// login svc.ftp pass=%s\nfunc dial() {}" % sp(pwdot()))
C = "known: names joined inside a template literal or f-string"
add(C, "src/stripe.ts", 'const A = "%s";\nconst B = "%s";\nconst stripe = new Stripe(`${A}${B}`);' % (sp("sk_live_" + r(12), 10), r(14)))
add(C, "app/billing.py", 'P1 = "%s"\nP2 = "%s"\nclient = StripeClient(f"{P1}{P2}")' % (sp("sk_live_" + r(12), 10), r(14)))
add(C, "Billing/Keys.cs", 'const string K1 = "%s";\nconst string K2 = "%s";\nvar apiKey = $"{K1}{K2}";' % (sp("sk_live_" + r(12), 10), r(14)))
C = "known: names joined by a format of placeholders only"
add(C, "app/gh.py", 'A = "%s"\nB = "%s"\ntoken = "{}{}".format(A, B)' % (sp("glpat-" + r(10), 8), r(10)))
add(C, "src/main/java/acme/Gh.java", 'static final String A = "%s";\nstatic final String B = "%s";\nString token = String.format("%%s%%s", A, B);' % (sp("glpat-" + r(10), 8), r(10)))
add(C, "cmd/push/main.go", 'const a = "%s"\nconst b = "%s"\nvar token = fmt.Sprintf("%%s%%s", a, b)' % (sp("glpat-" + r(10), 8), r(10)))
C = "known: a CloudFormation ParameterKey/ParameterValue pair"
add(C, "cfn/params-prod.json", '[\n  {\n    "ParameterKey": "DBPassword",\n    "ParameterValue": "%s"\n  },\n  {\n    "ParameterKey": "Env",\n    "ParameterValue": "prod"\n  }\n]' % sp(pw()))
add(C, "deploy/stack-params.json", '[{"ParameterKey": "ApiToken", "ParameterValue": "%s"}]' % sp(r(40)))
add(C, "ci/deploy.sh", 'aws cloudformation create-stack --stack-name app --template-body file://app.yml \\\n  --parameters ParameterKey=MasterUserPassword,ParameterValue=%s ParameterKey=Env,ParameterValue=prod' % sp(pw()))
add(C, "deploy/stacksets/params.yaml", "Parameters:\n  - ParameterKey: AdminPassword\n    ParameterValue: %s\n  - ParameterKey: Env\n    ParameterValue: prod" % sp(pw()))
C = "known: literals joined with a separator"
add(C, "tools/release.py", 'token = "_".join(["sk", "live", "%s"])' % sp(r(24), 6))
add(C, "src/keys.js", "const key = ['sk', 'live', '%s'].join('_');" % sp(r(24), 6))
add(C, "scripts/push.go", 'var tok = strings.Join([]string{"glpat", "%s"}, "-")' % sp(r(20), 6))
files = {"tune26_positive.jsonl": "".join(json.dumps(x) + "\n" for x in rows)}

neg = []
def add_neg(cat, path, text, source="written by sec26: a near miss of a session 26 rule or reading", licence=None):
    x = {"id": "t26n%03d" % (len(neg) + 1), "category": cat, "source": source, "path": path, "text": text}
    if licence: x["licence"] = licence
    neg.append(x)
add_neg("sdk-credential", "rag/store.py", 'client = weaviate.connect_to_weaviate_cloud(cluster_url=url, auth_credentials=Auth.api_key(os.environ["WEAVIATE_API_KEY"]))\ncred = AzureKeyCredential(settings.search_key)')
add_neg("slice-type", "src/proto.rs", 'const MAGIC: &[u8] = b"\\x89PNG\\r\\n";\nstatic GREETING: &\'static [u8] = b"hello, world";\nlet token_prefix: &[u8] = b"Bearer ";')
add_neg("tfstate-result", "envs/dev/terraform.tfstate", '          "attributes": {\n            "id": "9f6c1e2a-4b7d-4e8a-9c3f-2d1b0a9e8f7c",\n            "result": "9f6c1e2a-4b7d-4e8a-9c3f-2d1b0a9e8f7c"\n          }')
add_neg("tfstate-result", "envs/dev/terraform.tfstate", '          "attributes": {\n            "length": 2,\n            "result": "proud-lemur",\n            "separator": "-"\n          }')
add_neg("basic-auth-name", "docker-compose.yml", '      - "traefik.http.middlewares.auth.basicauth.users=admin:$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/"\n      - "basic_auth_user_file=/etc/nginx/htpasswd"')
add_neg("basic-auth-name", "config/upstream.js", "module.exports = { basicAuth: `${process.env.REPORTS_USER}:${process.env.REPORTS_PASS}` };")
add_neg("quoted-cli-password", "ops/backup.sh", 'sshpass -p "$SSH_PASS" scp dump.tgz backup@host:/srv/\nmysql -u root -p"$MYSQL_ROOT_PASSWORD" shop < schema.sql\nredis-cli -a "$REDIS_PASSWORD" PING')
add_neg("elided-key", "docs/deploy-keys.md", "Paste the key:\n\n```\n-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n```")
add_neg("elided-key", "charts/app/values.yaml", "tls:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n    <your private key>\n    -----END RSA PRIVATE KEY-----")
add_neg("elided-key", "config/example.yml", "# privateKey: |\n#   -----BEGIN EC PRIVATE KEY-----\n#   …\n#   -----END EC PRIVATE KEY-----")
add_neg("live-mode-key", "src/flags.ts", "export const live_streamingEnabledForAllRegionsByDefault = true;\nconst prod_databaseConnectionPoolSizeOverride = 20;")
add_neg("signing-key", "tests/test_webhooks.py", 'sig = hmac.new(b"test-webhook-secret", payload, hashlib.sha256).hexdigest()\nmac := hmac.New(sha256.New, []byte("secret"))')
add_neg("xml-password", "pom.xml", "<keystorePassword>${env.KEYSTORE_PASSWORD}</keystorePassword>\n<storepass>${keystore.password}</storepass>")
add_neg("joined-names-template", "src/url.ts", 'const BASE = "https://api.acme.io";\nconst PATH = "/v1/orders";\nconst url = `${BASE}${PATH}`;\nconst label = "{}{}".format(BASE, PATH)')
add_neg("cfn-parameters", "cfn/params-dev.json", '[\n  {\n    "ParameterKey": "DBPassword",\n    "ParameterValue": "{{resolve:secretsmanager:prod/db:SecretString:password}}"\n  },\n  {\n    "ParameterKey": "InstanceType",\n    "ParameterValue": "t3.medium"\n  }\n]')
add_neg("separator-join", "tools/names.py", 'bucket = "-".join(["acme", "logs", "eu-west-1", "2025"])\nkey = "/".join(["secrets", "prod", "db"])')
# Real lines (session 26's elided-key class: main reported each).
add_neg('elided-private-key', 'bitnami/apisix/values.yaml', '    ##     key: |-\n    ##       -----BEGIN RSA PRIVATE KEY-----\n    ##       ...\n    ##       -----END RSA PRIVATE KEY-----', 'https://github.com/bitnami/charts/blob/5165628ae06697f8f68a670bef7739d93c4b7f44/bitnami/apisix/values.yaml#L727-L730', 'Apache-2.0')
add_neg('elided-private-key', 'bitnami/argo-cd/values.yaml', '    ## key and certificate should start with -----BEGIN CERTIFICATE----- or\n    ## -----BEGIN RSA PRIVATE KEY-----\n    ##\n    ## name should line up with a tlsSecret set further up', 'https://github.com/bitnami/charts/blob/5165628ae06697f8f68a670bef7739d93c4b7f44/bitnami/argo-cd/values.yaml#L2231-L2234', 'Apache-2.0')
add_neg('elided-private-key', 'clients/src/main/java/org/apache/kafka/common/security/ssl/DefaultSslEngineFactory.java', '     *   -----BEGIN ENCRYPTED PRIVATE KEY-----\n     *   Base64 private key\n     *   -----END ENCRYPTED PRIVATE KEY-----', 'https://github.com/apache/kafka/blob/1eb7644349cb07139d6a3c1ad1986979647cac99/clients/src/main/java/org/apache/kafka/common/security/ssl/DefaultSslEngineFactory.java#L552-L554', 'Apache-2.0')
# A first version of the XML rule's names read any element ending in Token.
add_neg('xml-token-element', 'pkg/credentials/iam_aws_test.go', '  <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>', 'https://github.com/minio/minio-go/blob/e9f656c5c1d1ae3571970eb46c3005375530f049/pkg/credentials/iam_aws_test.go#L61', 'Apache-2.0')
files["tune26_negative.jsonl"] = "".join(json.dumps(x) + "\n" for x in neg)

if sys.argv[1:] == ["--check"]:
    bad = [n for n, t in files.items() if open(os.path.join(HERE, n)).read() != t]
    if bad:
        print("differs:", ", ".join(bad))
        sys.exit(1)
    sys.exit(0)
for n, t in files.items():
    open(os.path.join(HERE, n), "w").write(t)
print(len(rows), len(neg))
