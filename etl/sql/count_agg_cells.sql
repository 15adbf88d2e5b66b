SELECT count(*) FROM {agg_cells}
