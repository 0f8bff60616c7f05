"""The numbers organizers report ("14 自治体・27 名") and the SVG charts that show them."""
