window.YTD.direct_messages.part0 = {
  "a": 1
}
