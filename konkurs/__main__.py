from konkurs.cli import main

main()
