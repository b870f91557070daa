"""Pages composed from several apps; each module is one page family."""
