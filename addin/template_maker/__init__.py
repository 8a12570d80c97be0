"""What potentiel ships for Excel: the macro-enabled template and the ribbon add-in, with
the VBA project written from source.
"""
