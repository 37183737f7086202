"""sendboard: the SEND Improvement and Assurance Board's data pipeline (the code the DAGs call)."""
