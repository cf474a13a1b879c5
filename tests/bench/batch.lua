-- wrk script: POST one batch of 100 SKUs (the demo catalogue, repeated).
local skus = { "TEE-CLASSIC-M", "MUG-STONEWARE", "LAMP-ARC-BRASS", "SOCKS-WOOL-3PK", "KETTLE-GOOSENECK",
  "CHAIR-LOUNGE-OAK", "BOTTLE-STEEL-750" }
local items = {}
for i = 1, 100 do
  items[#items + 1] = string.format('{"sku":"%s","qty":%d}', skus[(i - 1) % #skus + 1], (i % 3) + 1)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"country":"DE","postal_code":"10115","items":[' .. table.concat(items, ",") .. ']}'
