-- 003: findings of shadow rules (run and audited, never posted nor counted
-- by the policy) and every call of the optional model layer. Same chain
-- columns and append-only triggers as 001.

CREATE TABLE shadow_findings (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  run_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL,         -- what it would be if the rule were on
  path TEXT NOT NULL,
  line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  message TEXT NOT NULL,
  evidence TEXT NOT NULL,         -- as the agent redacted it
  suggestion TEXT NOT NULL
) STRICT;
CREATE INDEX shadow_findings_rule ON shadow_findings(rule, run_id);

CREATE TABLE model_calls (
  seq INTEGER PRIMARY KEY,
  prev_hash TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  run_id TEXT NOT NULL,
  call_index INTEGER NOT NULL,    -- order within the run
  agent TEXT NOT NULL,            -- intent | logic
  kind TEXT NOT NULL,             -- chat (a provider call) | tool | validation (an answer rejected)
  provider TEXT NOT NULL,         -- empty for tool and validation rows
  model TEXT NOT NULL,
  template_version TEXT NOT NULL, -- prompt templates, e.g. "system@1+logic@1"
  prompt_hash TEXT NOT NULL,      -- SHA-256 of the prompt as sent (before redaction)
  tokens_in INTEGER NOT NULL,
  tokens_out INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  cost_micro_usd INTEGER NOT NULL, -- millionths of a US dollar
  outcome TEXT NOT NULL,          -- ok | timeout | network | http-5xx | rate-limited | http-4xx | malformed |
                                  -- circuit-open | budget | invalid-json | rejected | error
  detail TEXT NOT NULL,           -- error text, or the tool name and arguments (redacted)
  prompt_z TEXT NOT NULL,         -- redacted prompt, compressed: read it with unpack(prompt_z)
  answer_z TEXT NOT NULL          -- redacted answer, compressed: unpack(answer_z)
) STRICT;
CREATE INDEX model_calls_run ON model_calls(run_id, call_index);

CREATE TRIGGER shadow_findings_no_update BEFORE UPDATE ON shadow_findings
  BEGIN SELECT RAISE(ABORT, 'audit table shadow_findings is append-only: UPDATE rejected'); END;
CREATE TRIGGER shadow_findings_no_delete BEFORE DELETE ON shadow_findings
  BEGIN SELECT RAISE(ABORT, 'audit table shadow_findings is append-only: DELETE rejected'); END;
CREATE TRIGGER model_calls_no_update BEFORE UPDATE ON model_calls
  BEGIN SELECT RAISE(ABORT, 'audit table model_calls is append-only: UPDATE rejected'); END;
CREATE TRIGGER model_calls_no_delete BEFORE DELETE ON model_calls
  BEGIN SELECT RAISE(ABORT, 'audit table model_calls is append-only: DELETE rejected'); END;
