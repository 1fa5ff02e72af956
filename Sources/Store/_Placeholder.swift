// placeholder until the first real file lands; remove it then.
