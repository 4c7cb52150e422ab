-- prune_bodies clears the bodies still stored in the row (before schema 3)
-- once old; no row since has one. Indexed on that, the hourly prune reads
-- those rows only instead of scanning the whole table under the writer's
-- lock, which stopped intake for 0.44 s at 547,000 deliveries and longer
-- with every delivery after (bench/README.md `## server`, session 24).
CREATE INDEX deliveries_inline_bodies ON deliveries(received_ms) WHERE body IS NOT NULL;
