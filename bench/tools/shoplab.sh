#!/bin/sh
# kind: agg
# ShopLab: `shoplab read --no-store --by KEY --format csv` (both cores, the bulk
# path), then its report cut down to the columns the other tools print.
# SHOPLAB names the binary (default: the release build ./run bench makes).
. "$(dirname "$0")/common.sh"
SHOPLAB=${SHOPLAB:-$(cd "$(dirname "$0")/../.." && pwd)/build-release/shoplab}
case "$1" in
version) echo "shoplab $("$SHOPLAB" --version | cut -d' ' -f2) (read --no-store --format csv)" ;;
run)
  case "$3" in video_id) by=video ;; creator_id) by=creator ;; product_id) by=product ;; *) by=day ;; esac
  "$SHOPLAB" read --no-store --by "$by" --format csv "$2" >"$4.full" || exit 1
  # key, views, impressions, clicks, orders, gmv, product_ctr, ctor (empty = 0 as the others)
  mawk -F, -v hdr="$3,$SUMS_HDR" 'NR == 1 { print hdr; next } $1 != "TOTAL" {
      printf "%s,%s,%s,%s,%s,%s,%s,%s\n", $1, $4, $5, $6, $7, $10, ($13 == "" ? 0 : $13), ($19 == "" ? 0 : $19) }' \
      "$4.full" >"$4"
  rm -f "$4.full" ;;
esac
