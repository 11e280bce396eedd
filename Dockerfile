# hep-mcp over stateless streamable HTTP, for a clinic network behind a load balancer.
#
#   docker build -t hep-mcp .
#   docker run -e HEP_MCP_TOKEN="$(openssl rand -hex 32)" -p 8765:8765 hep-mcp
#   # options: -e HEP_MCP_WORKERS=4 -e HEP_MCP_ALLOWED_HOST=hep.clinic.example
#   #          -v /srv/hep/clinic.yaml:/config/clinic.yaml:ro -e HEP_MCP_CONFIG=/config/clinic.yaml
#
# tests/test_release.py builds this same environment (the same pip commands into a fresh
# venv) and runs the same command against /healthz where no container engine is available.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/hep-mcp \
    PATH=/opt/hep-mcp/bin:$PATH \
    HEP_MCP_PORT=8765 \
    HEP_MCP_WORKERS=2 \
    HEP_MCP_ALLOWED_HOST=localhost

COPY pyproject.toml README.md LICENSE MANIFEST.in /src/
COPY src /src/src
COPY prompts /src/prompts
COPY skills /src/skills
RUN python -m venv /opt/hep-mcp \
 && /opt/hep-mcp/bin/python -m pip install /src \
 && rm -rf /src \
 && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin hep

USER hep
EXPOSE 8765
# No token, no start: serve refuses a non-loopback bind without HEP_MCP_TOKEN.
CMD ["sh", "-c", "exec hep-mcp serve --transport http --stateless --host 0.0.0.0 --port \"$HEP_MCP_PORT\" --workers \"$HEP_MCP_WORKERS\" --allowed-host \"$HEP_MCP_ALLOWED_HOST\""]
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HEP_MCP_PORT', '8765'), timeout=2)"]
