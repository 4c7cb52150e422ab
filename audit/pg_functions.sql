-- Functions the PostgreSQL form of the migrations uses (embed_sql.cmake),
-- created or replaced before migrating.

-- The append-only rule of every audit table: any UPDATE, DELETE or TRUNCATE
-- is rejected. `audit verify` checks each table's triggers still call it
-- and that it still raises.
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit table % is append-only: % rejected', TG_TABLE_NAME, TG_OP;
END;
$$;
