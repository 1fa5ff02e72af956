print("peil")
