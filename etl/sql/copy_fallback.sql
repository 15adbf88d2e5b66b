COPY {fallback} FROM STDIN (FORMAT csv, HEADER true)
