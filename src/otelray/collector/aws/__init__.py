"""AWS building blocks shared by the collector's AWS components (X-Ray client, SigV4, UDP, proxy)."""
