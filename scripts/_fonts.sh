# Sourced by scripts/run and scripts/test: the CJK font embedded in the report PDFs. Debian's
# fonts-wqy-microhei is TrueType, which reportlab embeds (the Noto CJK OTFs are CFF, which it cannot).
# REPORT_FONT_PATH names another TrueType font instead. Root is needed for apt, as on CI.
if [ -z "${REPORT_FONT_PATH:-}" ] && [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei > /dev/null; }; then
    echo "could not install Debian's fonts-wqy-microhei (the CJK font of the report PDFs)" >&2
    exit 1
  fi
fi
