SELECT lat, lon FROM placeholder_coordinate
