"""API views composed from several apps; each module is one resource."""
