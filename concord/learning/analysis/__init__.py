"""Pure functions of the learning capability: plain data in, decisions and words out."""
