COPY {stage} FROM STDIN (FORMAT csv, HEADER true)
