SELECT NOT EXISTS (SELECT 1 FROM rollup_cell_day), NOT EXISTS (SELECT 1 FROM rollup_unit_day),
       NOT EXISTS (SELECT 1 FROM rollup_cell_month)
