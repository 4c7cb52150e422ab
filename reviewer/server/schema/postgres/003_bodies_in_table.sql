-- Compressed bodies stay in the table's own pages: past 2 KB, the default
-- target, a compressed body went to the TOAST table in 2 KB chunks, each a
-- heap row and an index entry more per delivery. Bodies still over ~8 KB
-- once compressed go there as before.
ALTER TABLE queue_deliveries SET (toast_tuple_target = 8160);
