from followthrough.cli import main

main()
