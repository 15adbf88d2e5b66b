COPY {units} (code, name, level) FROM STDIN (FORMAT binary)
