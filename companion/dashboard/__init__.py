"""The person's dashboard at http://127.0.0.1:PORT, served by the companion."""
