SELECT count(*) FROM {agg_units}
