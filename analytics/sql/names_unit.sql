SELECT code, name FROM handling_unit
