"""Views of the web UI, one module per area. Views only read and call actions; they never save models."""
